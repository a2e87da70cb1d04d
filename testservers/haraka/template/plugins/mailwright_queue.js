// Stores every accepted message as <queue dir>/<uuid>.eml (the bytes received,
// after Haraka's own Received header) and <uuid>.json (envelope and auth).
// Authenticated mail arrives at queue_outbound, the rest at queue.
const fs = require('node:fs')
const path = require('node:path')

exports.register = function () {
    this.cfg = this.config.get('mailwright_queue.ini')
}

exports.hook_queue = function (next, connection) {
    this.store(next, connection)
}

exports.hook_queue_outbound = function (next, connection) {
    this.store(next, connection)
}

// Address objects differ between Haraka versions: a method, a property or a string.
const addr = (a) => {
    if (!a) return null
    const value = typeof a.address === 'function' ? a.address() : a.address
    return value === undefined ? String(a) : value
}

exports.store = function (next, connection) {
    try {
        this.store_message(next, connection)
    } catch (err) {
        // Never fall through to Haraka's own delivery.
        connection.logerror(this, `cannot store: ${err.stack}`)
        next(DENYSOFT, 'test queue failed')
    }
}

exports.store_message = function (next, connection) {
    const txn = connection.transaction
    const dir = this.cfg.main.dir
    const base = path.join(dir, txn.uuid)
    const meta = {
        uuid: txn.uuid,
        mail_from: addr(txn.mail_from),
        rcpt_to: txn.rcpt_to.map(addr),
        auth_user: connection.notes.auth_user || null,
        user: connection.notes.mailwright_user || null,
        label: connection.notes.mailwright_label || null,
        tls: !!connection.tls.enabled,
    }
    const out = fs.createWriteStream(base + '.eml.part')
    out.on('error', (err) => next(DENYSOFT, `cannot store: ${err.message}`))
    out.on('finish', () => {
        fs.writeFileSync(base + '.json', JSON.stringify(meta))
        fs.renameSync(base + '.eml.part', base + '.eml')
        next(OK, `Queued as ${txn.uuid}`)
    })
    txn.message_stream.pipe(out, { line_endings: '\r\n' })
}
