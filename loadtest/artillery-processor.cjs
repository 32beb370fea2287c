// Hooks for loadtest/artillery.yml: time each emit → reply round trip as an Artillery histogram
// (artillery-engine-socketio-v3 1.2 reports no response times under Artillery 2) and fail a
// virtual user with a clear error when a captured id is missing instead of sending it on.
'use strict';

// Starts the round-trip clock of the emit step it is attached to (`beforeRequest: startTimer`).
function startTimer(requestSpec, context, ee, next) {
  context._engageStartedAt = process.hrtime.bigint();
  return next();
}

// Returns a flow function that records the time since startTimer as histogram
// `socketio.<name>` (ms) and, when `required` names a context variable, fails the virtual user
// unless that variable holds a non-empty string (the engine stores the whole capture record,
// an object, when a capture finds nothing; sent on, it would reach the server as an object).
function recordReply(name, required) {
  return function (context, ee, next) {
    if (required !== undefined) {
      const value = context.vars[required];
      if (typeof value !== 'string' || value.length === 0) {
        return next(new Error(`${name}: no ${required} captured`));
      }
    }
    if (typeof context._engageStartedAt === 'bigint') {
      const ms = Number(process.hrtime.bigint() - context._engageStartedAt) / 1e6;
      ee.emit('histogram', `socketio.${name}`, ms);
      context._engageStartedAt = undefined;
    }
    return next();
  };
}

module.exports = {
  startTimer,
  recordChessRoomCreated: recordReply('room_created', 'roomCode'),
  recordWatchRoomCreated: recordReply('room_created', 'roomId'),
  recordSyncPlay: recordReply('sync_play'),
  recordSyncPause: recordReply('sync_pause'),
};
