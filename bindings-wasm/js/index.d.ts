
/** Every error mailwright throws. `code` is the core's error kind, `errorCode` its stable number. */
export class MailwrightError extends Error {
  readonly code: string;
  readonly errorCode: number;
}
/** An error caused by a server reply (e.g. `code` "RateLimited" for `536 Frequency limited`). */
export class SmtpError extends MailwrightError {
  readonly smtpCode: number;
  readonly enhancedCode?: string;
  readonly text?: string;
}
/** Where and how to connect (Node only). */
export interface SendOptions {
  host: string;
  port?: number;
  credentials?: Credentials;
  /** Default "starttls" (required). */
  tls?: "starttls" | "opportunistic" | "implicit" | "none";
  /** Extra trusted CA certificate(s), PEM, e.g. a test server's. */
  ca?: string | Uint8Array | Array<string | Uint8Array>;
  /** Milliseconds without an answer before giving up (default 30000). */
  timeout?: number;
  helloName?: string;
  pipelining?: boolean;
}
/** A connection sending many messages (Node only). */
export class Client {
  static connect(options: SendOptions): Promise<Client>;
  send(message: Message): Promise<SendResult>;
  transcript(): [string, string][];
  quit(): Promise<void>;
}
/** Connects, sends one message and says QUIT (Node only). */
export function send(message: Message, options: SendOptions): Promise<SendResult>;
