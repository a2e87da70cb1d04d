// Errors thrown by mailwright: real Error subclasses. `code` is the core's
// error kind ("RateLimited", "HeaderInjection", ...), `errorCode` its stable
// number (the C binding's mw_result). Errors caused by a server reply are
// SmtpError, with `smtpCode`, `enhancedCode` and `text`.
export class MailwrightError extends Error {
  constructor(message, code, errorCode) {
    super(message);
    this.name = "MailwrightError";
    this.code = code;
    this.errorCode = errorCode;
  }
}

export class SmtpError extends MailwrightError {
  constructor(message, code, errorCode, smtpCode, enhancedCode, text) {
    super(message, code, errorCode);
    this.name = "SmtpError";
    this.smtpCode = smtpCode;
    this.enhancedCode = enhancedCode;
    this.text = text;
  }
}
