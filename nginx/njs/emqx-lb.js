// emqx-lb.js: picks the EMQX node for each NEW MQTT connection from the availability that
// `emqx-lb-sidecar nginx-sync --njs-state FILE` writes every poll. No reloads: a drain never touches
// an existing connection, on any node. Tested with njs 0.7.9 (Debian's libnginx-mod-stream-js) in
// nginx 1.22's stream module. Plain ES5-style code: njs is not Node.js.
//
//   js_import emqx from /etc/nginx/njs/emqx-lb.js;
//   js_var $emqx_lb_state /run/emqx-lb/state.json;   # the file nginx-sync writes
//   js_var $emqx_lb_fallback emqx_mqtt_all;          # upstream with every node: used when the state is unusable
//   js_set $emqx_upstream emqx.upstream;
//   server { listen 1883; proxy_pass $emqx_upstream; }
//
// Rules (nginx/README.md has the why):
// - available nodes only: weighted random by `weight`, or for balance "hash_remote_addr" a weighted
//   rendezvous hash of the client address (a drain or return moves only that node's share of clients);
// - no node available: every node in the state (fail-open, like the reload mode's fail-safe);
// - stale state (older than its staleAfterMs, nginx-sync stopped or stuck): every node in it, error logged;
// - missing or unreadable state: the $emqx_lb_fallback upstream, error logged.
var fs = require('fs');

function readState(path) {
    var text;
    try {
        text = fs.readFileSync(path, 'utf8');
    } catch (e) {
        return { error: 'cannot read ' + path + ' (' + (e.code || e.message) + ')' };
    }
    var st;
    try {
        st = JSON.parse(text);
    } catch (e) {
        return { error: path + ' is not JSON (' + e.message + ')' };
    }
    if (st === null || typeof st !== 'object' || st.version !== 1 || !Array.isArray(st.nodes) || st.nodes.length === 0 ||
        typeof st.writtenAt !== 'number' || typeof st.staleAfterMs !== 'number') {
        return { error: path + ' is not an emqx-lb state (version 1 with nodes, writtenAt, staleAfterMs)' };
    }
    for (var i = 0; i < st.nodes.length; i++) {
        var n = st.nodes[i];
        if (n === null || typeof n !== 'object' || typeof n.address !== 'string' || n.address === '' ||
            typeof n.weight !== 'number' || !(n.weight > 0) || typeof n.available !== 'boolean') {
            return { error: path + ': node ' + i + ' is not {address, weight, available}' };
        }
    }
    return { state: st };
}

// FNV-1a, 32 bit: a stable hash of a short string (no crypto needed, njs has Math.imul)
function fnv1a(text) {
    var h = 0x811c9dc5;
    for (var i = 0; i < text.length; i++) {
        h ^= text.charCodeAt(i);
        h = Math.imul(h, 0x01000193);
    }
    return h >>> 0;
}

function weightedRandom(nodes) {
    var total = 0;
    var i;
    for (i = 0; i < nodes.length; i++) total += nodes[i].weight;
    var r = Math.random() * total;
    for (i = 0; i < nodes.length; i++) {
        r -= nodes[i].weight;
        if (r < 0) return nodes[i];
    }
    return nodes[nodes.length - 1];
}

// Weighted rendezvous (highest random weight) hashing: each client address scores every node and takes
// the best; removing a node moves only the clients that scored it best.
function rendezvous(nodes, key) {
    var best = null;
    var bestScore = -Infinity;
    for (var i = 0; i < nodes.length; i++) {
        var u = (fnv1a(key + '|' + nodes[i].address) + 0.5) / 4294967296;
        var score = -nodes[i].weight / Math.log(u);
        if (score > bestScore) { bestScore = score; best = nodes[i]; }
    }
    return best;
}

function pick(st, key) {
    var candidates = st.nodes.filter(function (n) { return n.available; });
    if (candidates.length === 0) candidates = st.nodes;
    return st.balance === 'hash_remote_addr' ? rendezvous(candidates, key) : weightedRandom(candidates);
}

function fallback(s, why) {
    var name = s.variables.emqx_lb_fallback;
    s.error('emqx-lb: ' + why + '; sending the connection to every node (upstream ' + (name || '<none: set js_var $emqx_lb_fallback>') + ')');
    return name || '';
}

function upstream(s) {
    var path = s.variables.emqx_lb_state;
    if (!path) return fallback(s, 'js_var $emqx_lb_state is not set');
    var r = readState(path);
    if (r.error !== undefined) return fallback(s, r.error);
    var st = r.state;
    var age = Date.now() - st.writtenAt;
    if (age > st.staleAfterMs) {
        s.error('emqx-lb: ' + path + ' is stale (written ' + Math.round(age / 1000) + ' s ago, limit ' +
            Math.round(st.staleAfterMs / 1000) + ' s: is nginx-sync running?); sending the connection to every node');
        st.nodes.forEach(function (n) { n.available = true; });
    }
    return pick(st, s.remoteAddress).address;
}

export default { upstream: upstream };
