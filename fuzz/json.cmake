engage_fuzz(json engage_core)
