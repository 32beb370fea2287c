engage_fuzz(socketio engage_socketio)
