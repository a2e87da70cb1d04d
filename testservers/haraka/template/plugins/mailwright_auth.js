// AUTH for mailwright's tests: accepts `api_user` and SendCloud's label form
// `api_user#label_id` (auth/flat_file cannot hold a '#' in a user name) and
// records the label on the connection so the queue plugin can store it.
exports.register = function () {
    this.inherits('auth/auth_base')
    this.cfg = this.config.get('mailwright_auth.ini')
}

exports.hook_capabilities = function (next, connection) {
    // Like SendCloud: AUTH only once the session is encrypted.
    if (!connection.tls.enabled) return next()
    const methods = (this.cfg.main.methods || 'LOGIN').split(',').map((m) => m.trim())
    connection.capabilities.push(`AUTH ${methods.join(' ')}`)
    connection.notes.allowed_auth_methods = methods
    next()
}

exports.get_plain_passwd = function (user, connection, cb) {
    const hash = user.indexOf('#')
    const base = hash === -1 ? user : user.slice(0, hash)
    const label = hash === -1 ? null : user.slice(hash + 1)
    const users = this.cfg.users || {}
    if (!Object.hasOwn(users, base)) return cb(null)
    if (label !== null && !/^[0-9]+$/.test(label)) return cb(null)
    connection.notes.mailwright_label = label
    connection.notes.mailwright_user = base
    cb(String(users[base]))
}
