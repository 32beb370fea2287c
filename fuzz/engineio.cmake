engage_fuzz(engineio engage_engineio)
