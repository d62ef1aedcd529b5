/**
 * The JavaScript that runs inside every sandbox before the learner's module. It is evaluated as
 * one function expression and called with the host's three functions, so those never appear on
 * the sandbox's global object. It:
 *
 * - hardens the global: `Math.random` draws from the node's seeded fork and cannot be replaced,
 *   `eval` and `Function` refuse to compile code at run time, `WeakRef` and
 *   `FinalizationRegistry` (whose behaviour depends on garbage-collection timing) are gone;
 * - builds `ctx` from the op plan the bridge derives from the API definition;
 * - replaces `Promise` with a subclass that notices rejections nobody handles;
 * - runs handler calls in batches (one crossing for many events) and reports their results as
 *   JSON text in an outbox that every entry point returns.
 *
 * The host trusts nothing that comes back: every reply is parsed defensively (sandbox.ts).
 *
 * Outbox entries (JSON arrays):
 *   [0, callId]             call finished, returned undefined
 *   [0, callId, value]      call finished with a value
 *   [1, callId, how, raw]   call failed; how: 0 threw, 1 rejected, 2 returned something that cannot cross
 *   [2, callId, raw]        a promise rejected and nothing handled it
 *   [3, exportNames]        the module loaded; its exported functions
 *   [4, callId, level, text, stack]  a console line (stack: where console.log was called)
 *   [5]                     rejections are waiting to be checked: call flush() after the jobs ran
 *   [6]                     the node's console lines ran out; later lines are dropped here
 *   [7, base, indexes, values, undefinedIndexes]  calls base+index finished (each value
 *                           serialised as its call returned, sent together: one entry per batch
 *                           and drain); indexes is a number i when they are i, i+1, … (one per value)
 * Console lines travel in the outbox, and every host operation carries the outbox with it, so the
 * history records lines and operations in the order the code ran them without a crossing per line.
 * where raw is {name, message, stack} for an Error and {thrown} for anything else.
 */
export const PRELUDE_FILENAME = '<brokerlab>';

export const PRELUDE_SOURCE = String.raw`(function (hostOp, hostRandom, nodeName, moduleName, planJson, limitsJson) {
'use strict';
var G = globalThis;
var O = Object;
var defineProperty = O.defineProperty;
var freeze = O.freeze;
var keys = O.keys;
var getPrototypeOf = O.getPrototypeOf;
var parse = JSON.parse;
var stringify = JSON.stringify;
var apply = Reflect.apply;
var join = Array.prototype.join;
var isArray = Array.isArray;
var StringCtor = String;
var ErrorCtor = Error;
var TypeErrorCtor = TypeError;
var RangeErrorCtor = RangeError;
var EvalErrorCtor = EvalError;
var SymbolCtor = Symbol;
// Kept before Function is disabled below: only decodeEvents compiles with it, from field names.
var FunctionCtor = Function;
var NativePromise = Promise;
var nativeThen = Promise.prototype.then;
var MapCtor = Map;
var mapGet = Map.prototype.get;
var mapSet = Map.prototype.set;
var mapDelete = Map.prototype.delete;
var limits = parse(limitsJson);
var CROSSING_MAX = limits.crossingCharsMax;
var LINE_MAX = limits.consoleLineCharsMax;
var linesLeft = limits.consoleLinesLeft;
var STACK_CHARS_MAX = 20000;

// Read by the host: the running call (for budgets), and how many outbox entries and unchecked
// rejections are waiting (so the host crosses again to collect them only when there are some).
var state = { call: 0, now: 0, waiting: 0, loop: 0 };
var outbox = [];
var rejections = [];
var pending = new MapCtor();
// Batches not yet finished, by first call id: an object with no prototype, so opening and closing one
// calls no Map method through Reflect.apply (an allocation each) and learner code cannot reach it.
var batches = O.create(null);
var exportsObj = null;
var opSeq = 0;

function post(s) { outbox[outbox.length] = s; state.waiting = 1; }
function drain() {
  flushOk();
  var s = '[';
  for (var i = 0; i < outbox.length; i++) s += (i === 0 ? '' : ',') + outbox[i];
  if (rejections.length > 0) s += (outbox.length === 0 ? '' : ',') + '[5]';
  outbox = [];
  state.waiting = rejections.length > 0 ? 1 : 0;
  return s + ']';
}

// ---- describing values and errors ----
function fmt(v, depth, seen) {
  var t = typeof v;
  if (t === 'string') return depth === 0 ? v : stringify(v);
  if (t === 'number' || t === 'boolean' || t === 'undefined') return StringCtor(v);
  if (t === 'bigint') return StringCtor(v) + 'n';
  if (t === 'symbol') return 'Symbol(' + StringCtor(v.description === undefined ? '' : v.description) + ')';
  if (t === 'function') return '[Function ' + (v.name ? StringCtor(v.name) : 'anonymous') + ']';
  if (v === null) return 'null';
  if (v instanceof ErrorCtor) return StringCtor(v.name) + ': ' + StringCtor(v.message);
  for (var s = 0; s < seen.length; s++) if (seen[s] === v) return '[Circular]';
  if (depth >= 3) return isArray(v) ? '[Array]' : '[Object]';
  seen[seen.length] = v;
  var out;
  if (isArray(v)) {
    out = '[';
    var n = v.length;
    for (var i = 0; i < n && i < 100 && out.length <= LINE_MAX; i++) out += (i === 0 ? ' ' : ', ') + fmt(v[i], depth + 1, seen);
    if (n > 100) out += ', … ' + (n - 100) + ' more';
    out += n === 0 ? ']' : ' ]';
  } else {
    var ks = keys(v);
    out = '{';
    for (var k = 0; k < ks.length && k < 50 && out.length <= LINE_MAX; k++) out += (k === 0 ? ' ' : ', ') + ks[k] + ': ' + fmt(v[ks[k]], depth + 1, seen);
    if (ks.length > 50) out += ', … ' + (ks.length - 50) + ' more';
    out += ks.length === 0 ? '}' : ' }';
  }
  seen.length = seen.length - 1;
  return out;
}
function describe(v) {
  try { return fmt(v, 1, []); } catch (e) { return 'a value that could not be described'; }
}
function rawOf(e) {
  try {
    if (e instanceof ErrorCtor) {
      var stack = e.stack;
      stack = typeof stack === 'string' ? stack : '';
      if (stack.length > STACK_CHARS_MAX) stack = stack.slice(0, STACK_CHARS_MAX);
      return { name: StringCtor(e.name), message: StringCtor(e.message), stack: stack };
    }
    return { thrown: describe(e) };
  } catch (x) {
    return { thrown: 'a value that could not be described' };
  }
}
function failed(id, how, e) { return '[1,' + id + ',' + how + ',' + stringify(rawOf(e)) + ']'; }
function badReturn(id, message) { return '[1,' + id + ',2,' + stringify({ name: 'TypeError', message: message, stack: '' }) + ']'; }
// Why the last resultJson call returned undefined.
var badReason = '';
// The JSON of a call's result, taken as the call returns (a later call may change an object this one
// returned), or undefined when it cannot cross (badReason says why).
function resultJson(v) {
  var json;
  try { json = stringify(v); } catch (e) { badReason = e instanceof ErrorCtor ? StringCtor(e.message) : 'it could not be serialised'; return undefined; }
  if (json === undefined) { badReason = 'a ' + typeof v + ' is not data'; return undefined; }
  if (json.length > CROSSING_MAX) { badReason = 'it is ' + json.length + ' characters of JSON; the limit is ' + CROSSING_MAX; return undefined; }
  return json;
}
function done(id, v) {
  if (v === undefined) return '[0,' + id + ']';
  var json = resultJson(v);
  return json === undefined ? badReturn(id, badReason) : '[0,' + id + ',' + json + ']';
}
// Results of the batch being run, sent together as one [7] entry when the outbox is drained.
var okBase = -1;
var okIdx = [];
var okJson = [];
var okUndef = [];
function okResult(batch, i, r) {
  if (okBase !== batch.base) { flushOk(); okBase = batch.base; }
  state.waiting = 1;
  if (r === undefined) { okUndef[okUndef.length] = i; return; }
  var json = resultJson(r);
  if (json === undefined) { post(badReturn(batch.base + i, badReason)); return; }
  okIdx[okIdx.length] = i;
  okJson[okJson.length] = json;
}
function flushOk() {
  if (okBase < 0) return;
  var base = okBase, idx = okIdx, json = okJson, und = okUndef;
  okBase = -1; okIdx = []; okJson = []; okUndef = [];
  if (idx.length === 0) { post('[7,' + base + ',[],[],' + ints(und) + ']'); return; }
  if (idx.length === 1 && und.length === 0) { post('[0,' + (base + idx[0]) + ',' + json[0] + ']'); return; }
  post('[7,' + base + ',' + indexList(idx) + ',[' + apply(join, json, [',']) + '],' + ints(und) + ']');
}
// A list of indexes as JSON. Short ones are concatenated: a JSON.stringify call costs about as much
// as a small object's whole serialisation, and most crossings carry one call. Long ones go through
// the captured, native JSON.stringify (a concatenation loop copies the growing string again and again).
function ints(list) {
  if (list.length > 8) return stringify(list);
  var s = '[';
  for (var i = 0; i < list.length; i++) s += (i === 0 ? '' : ',') + list[i];
  return s + ']';
}
// Consecutive indexes (every call of a run returned a value) go as the first one alone.
function indexList(idx) {
  for (var k = 1; k < idx.length; k++) if (idx[k] !== idx[0] + k) return ints(idx);
  return StringCtor(idx[0]);
}
function encodeArgs(name, args) {
  var json;
  try { json = stringify(args); } catch (e) {
    throw new TypeErrorCtor(name + ': the arguments cannot be sent as plain data (' + (e instanceof ErrorCtor ? StringCtor(e.message) : 'unserialisable') + ')');
  }
  if (json.length > CROSSING_MAX) throw new RangeErrorCtor(name + ': the arguments are ' + json.length + ' characters of JSON; the limit is ' + CROSSING_MAX);
  return json;
}
function errorFrom(info, stack) {
  var C = info.name === 'TypeError' ? TypeErrorCtor : info.name === 'RangeError' ? RangeErrorCtor : ErrorCtor;
  var e = new C(StringCtor(info.message));
  if (info.name !== 'TypeError' && info.name !== 'RangeError' && info.name !== 'Error') e.name = StringCtor(info.name);
  if (stack !== undefined) e.stack = stack;
  return e;
}

// ---- promises that notice unhandled rejections ----
var HANDLED = SymbolCtor('handled');
function noteRejection(p, reason) {
  if (rejections.length < 1000) rejections[rejections.length] = [p, reason, state.call];
  state.waiting = 1;
}
function markHandled(p) { try { p[HANDLED] = true; } catch (e) { } }
class TrackedPromise extends NativePromise {
  constructor(executor) {
    if (typeof executor !== 'function') throw new TypeErrorCtor('Promise resolver is not a function');
    var self = null;
    var early = null;
    var settled = false;
    super(function (resolve, reject) {
      var res = function (v) { settled = true; resolve(v); };
      var rej = function (reason) {
        if (!settled) {
          settled = true;
          if (self === null) early = [reason]; else noteRejection(self, reason);
        }
        reject(reason);
      };
      try { executor(res, rej); } catch (e) { rej(e); }
    });
    self = this;
    if (early !== null) noteRejection(this, early[0]);
  }
  then(onFulfilled, onRejected) {
    markHandled(this);
    return super.then(onFulfilled, onRejected);
  }
}
defineProperty(TrackedPromise, 'name', { value: 'Promise' });
defineProperty(TrackedPromise, SymbolCtor.hasInstance, { value: function (v) { return v instanceof NativePromise; } });
defineProperty(G, 'Promise', { value: TrackedPromise, writable: true, configurable: true, enumerable: false });
function checkRejections() {
  var list = rejections;
  rejections = [];
  for (var i = 0; i < list.length; i++) {
    var handled = true;
    try { handled = list[i][0][HANDLED] === true; } catch (e) { }
    if (!handled) post('[2,' + list[i][2] + ',' + stringify(rawOf(list[i][1])) + ']');
  }
}

// ---- randomness, dynamic code, nondeterministic globals ----
var rbuf = [];
var rpos = 0;
var random = { random: function () {
  if (rpos >= rbuf.length) { rbuf = parse(hostRandom()); rpos = 0; }
  return rbuf[rpos++];
} }.random;
defineProperty(Math, 'random', { value: random, writable: false, configurable: false, enumerable: false });
defineProperty(G, 'Math', { value: Math, writable: false, configurable: false, enumerable: false });
var noCompile = { Function: function () {
  throw new EvalErrorCtor('eval() and Function() are disabled in the sandbox: write the code in your handler file instead');
} }.Function;
var protos = [function () {}, async function () {}, function* () {}, async function* () {}];
for (var p = 0; p < protos.length; p++) defineProperty(getPrototypeOf(protos[p]), 'constructor', { value: noCompile, writable: false, configurable: false, enumerable: false });
noCompile.prototype = getPrototypeOf(protos[0]);
defineProperty(G, 'Function', { value: noCompile, writable: false, configurable: false, enumerable: false });
defineProperty(G, 'eval', { value: noCompile, writable: false, configurable: false, enumerable: false });
delete G.WeakRef;
delete G.FinalizationRegistry;

// ---- console ----
function write(level, args) {
  if (linesLeft <= 0) return;
  var text = '';
  try {
    for (var i = 0; i < args.length && text.length <= LINE_MAX; i++) text += (i === 0 ? '' : ' ') + fmt(args[i], 0, []);
  } catch (e) { text += ' (the rest could not be formatted)'; }
  if (text.length > LINE_MAX + 1) text = text.slice(0, LINE_MAX + 1);
  var site = new ErrorCtor().stack;
  post('[4,' + state.call + ',' + stringify(level) + ',' + stringify(text) + ',' + stringify(typeof site === 'string' ? site : '') + ']');
  if (--linesLeft === 0) post('[6]');
}
var consoleObj = {};
var levels = ['log', 'info', 'warn', 'error', 'debug'];
for (var l = 0; l < levels.length; l++) {
  (function (level) {
    defineProperty(consoleObj, level, { value: { [level]: function (...args) { write(level, args); } }[level], enumerable: true });
  })(levels[l]);
}
defineProperty(G, 'console', { value: freeze(consoleObj), writable: true, configurable: true, enumerable: false });

// ---- ctx, built from the plan the bridge derives from the API definition ----
function asyncOp(index, name, args) {
  var json = encodeArgs(name, args);
  var site = new ErrorCtor().stack;
  var id = ++opSeq;
  var settle = null;
  var promise = new TrackedPromise(function (res, rej) { settle = { res: res, rej: rej }; });
  var err = hostOp(index, id, state.call, json, drain());
  if (err !== '') throw errorFrom(parse(err).e);
  settle.call = state.call;
  settle.site = site;
  apply(mapSet, pending, [id, settle]);
  return promise;
}
function syncOp(index, name, args) {
  var json = encodeArgs(name, args);
  var reply = parse(hostOp(index, 0, state.call, json, drain()));
  if (reply.e !== undefined) throw errorFrom(reply.e);
  return reply.v;
}
function build(members, path) {
  var o = {};
  for (var i = 0; i < members.length; i++) {
    var m = members[i];
    var name = m[0];
    var value;
    if (m[1] === 'const') value = nodeName;
    else if (m[1] === 'clock') value = { [name]: function () { return state.now; } }[name];
    else if (m[1] === 'ns') value = build(m[2], path + name + '.');
    else value = makeOp(m[2], m[3] === 1, path + name, name);
    defineProperty(o, name, { value: value, enumerable: true, writable: false, configurable: false });
  }
  return freeze(o);
}
function makeOp(index, isAsync, fullName, name) {
  var label = 'ctx.' + fullName;
  return isAsync
    ? { [name]: function (...args) { return asyncOp(index, label, args); } }[name]
    : { [name]: function (...args) { return syncOp(index, label, args); } }[name];
}
var ctx = build(parse(planJson), '');
var EMPTY = freeze({});
// Called at the top of every loop condition with the loop's number (loop-probes.ts): the host reads
// it when a call runs out of steps, to say which loop was spinning.
var loopProbe = function (id) { state.loop = id; };
function requireFn(name) {
  if (name === moduleName) return EMPTY;
  throw new ErrorCtor("cannot import '" + StringCtor(name) + "': handlers can import only types from '" + moduleName + "'; everything at run time comes through ctx");
}

// ---- running handler calls ----
function isThenable(r) {
  if (r === null || (typeof r !== 'object' && typeof r !== 'function')) return false;
  try { return typeof r.then === 'function'; } catch (e) { return false; }
}
function run(batch) {
  var fn = batch.fn;
  var events = batch.events;
  while (batch.next < batch.n) {
    var i = batch.next++;
    var id = batch.base + i;
    state.call = id;
    state.loop = 0;
    var r;
    try { r = fn(events[i], ctx); } catch (e) { post(failed(id, 0, e)); continue; }
    if (r === undefined) okResult(batch, i, r);
    else if (r instanceof NativePromise || isThenable(r)) {
      follow(batch, id, r);
      if (batch.sequential) { batch.waiting = true; return; }
    } else okResult(batch, i, r);
  }
  flushOk();
  delete batches[batch.base];
}
function follow(batch, id, p) {
  var onOk = function (v) { okResult(batch, id - batch.base, v); next(batch); };
  var onErr = function (e) { post(failed(id, 1, e)); next(batch); };
  var after;
  if (p instanceof NativePromise) {
    markHandled(p);
    after = apply(nativeThen, p, [onOk, onErr]);
  } else {
    try { after = p.then(onOk, onErr); } catch (e) { onErr(e); return; }
  }
  // A budget error cannot be caught by try/catch: inside a promise job it becomes the rejection
  // of the job's promise. onOk and onErr serialise results (learner toJSON) and run the batch's
  // next calls, so whatever escapes them lands here, charged to the call that was running.
  if (after instanceof NativePromise) apply(nativeThen, after, [undefined, function (e) { post(failed(state.call, state.call === id ? 2 : 0, e)); next(batch); }]);
}
function next(batch) {
  if (!batch.sequential) return;
  batch.waiting = false;
  run(batch);
}

function load(moduleFn, now) {
  state.now = now;
  state.call = 0;
  state.loop = 0;
  var module = { exports: {} };
  try { moduleFn(module.exports, requireFn, module, loopProbe); } catch (e) { post(failed(0, 0, e)); return drain(); }
  exportsObj = module.exports;
  var names = [];
  if (exportsObj !== null && typeof exportsObj === 'object') {
    var ks = keys(exportsObj);
    for (var i = 0; i < ks.length; i++) if (typeof exportsObj[ks[i]] === 'function') names[names.length] = ks[i];
  }
  post('[3,' + stringify(names) + ']');
  return drain();
}
// ---- events in: plain JSON, or shapes and values (event-batch.ts) ----
// One compiled object literal per shape, the fields in order: { "id": v[j], "qty": v[j + 1], … }.
// Field names reach the source only as JSON string literals, and __proto__ never comes shaped.
var SHAPE_CTORS_MAX = 64;
var shapeCtors = [];
function sameKeys(a, b) {
  if (a.length !== b.length) return false;
  for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
function shapeCtor(ks) {
  for (var c = 0; c < shapeCtors.length; c++) if (sameKeys(shapeCtors[c].keys, ks)) return shapeCtors[c].fn;
  var src = 'return {';
  for (var f = 0; f < ks.length; f++) src += (f === 0 ? '' : ',') + stringify(StringCtor(ks[f])) + ':v[j+' + f + ']';
  var fn = new FunctionCtor('v', 'j', src + '};');
  if (shapeCtors.length >= SHAPE_CTORS_MAX) shapeCtors = [];
  shapeCtors[shapeCtors.length] = { keys: ks, fn: fn };
  return fn;
}
function decodeEvents(json) {
  var m = parse(json);
  if (isArray(m)) return m;
  var k = m.k;
  var v = m.v;
  var ctors = [];
  var widths = [];
  for (var s = 0; s < k.length; s++) { ctors[s] = shapeCtor(k[s]); widths[s] = k[s].length; }
  var out = [];
  for (var j = 0; j < v.length;) {
    var shape = v[j++];
    if (shape < 0) out[out.length] = v[j++];
    else { out[out.length] = ctors[shape](v, j); j += widths[shape]; }
  }
  return out;
}

function dispatch(base, name, eventsJson, sequential, now) {
  state.now = now;
  var events = decodeEvents(eventsJson);
  var fn = exportsObj !== null && typeof exportsObj === 'object' ? exportsObj[name] : undefined;
  if (typeof fn !== 'function') {
    for (var i = 0; i < events.length; i++) {
      post('[1,' + (base + i) + ',0,' + stringify({ name: 'TypeError', message: name + ' is no longer a function (it was replaced after the module loaded)', stack: '' }) + ']');
    }
    return drain();
  }
  var batch = { base: base, fn: fn, events: events, n: events.length, next: 0, sequential: sequential === 1, waiting: false };
  batches[base] = batch;
  run(batch);
  return drain();
}
function resume(callId, force, now) {
  state.now = now;
  for (var key in batches) {
    var b = batches[key];
    if (callId >= b.base && callId < b.base + b.n) {
      if (force === 1) b.waiting = false;
      if (!b.waiting) run(b);
      break;
    }
  }
  return drain();
}
function settleOp(id, ok, json, now) {
  state.now = now;
  var s = apply(mapGet, pending, [id]);
  if (s === undefined) return drain();
  apply(mapDelete, pending, [id]);
  state.call = s.call;
  state.loop = 0;
  if (ok === 1) s.res(json === '' ? undefined : parse(json));
  else s.rej(errorFrom(parse(json), s.site));
  return drain();
}
function flush(now) {
  state.now = now;
  checkRejections();
  return drain();
}
return { state: state, load: load, dispatch: dispatch, resume: resume, settle: settleOp, flush: flush };
})`;
