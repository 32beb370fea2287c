engage_fuzz(http engage_net_codec)
