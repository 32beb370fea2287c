engage_fuzz(bus engage_bus)
