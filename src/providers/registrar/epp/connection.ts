/**
 * One EPP session over TLS (RFC 5734): the greeting on connect, then one command at a time, each
 * answered by exactly one frame. A command whose answer does not come (timeout, connection lost)
 * rejects with EppTransportError: its outcome at the registry is unknown, and the caller decides
 * how to find out (for a renewal: domain:info, never a second blind renew).
 */
import { connect, type TLSSocket } from "node:tls";
import { encodeFrame, FrameDecoder } from "./framing.js";
import { redactFrame } from "./redact.js";
import { EppSchemaError, frameErrors } from "./schema.js";

export interface EppEndpoint {
  host: string;
  port: number;
  /** PEM: the CA that signed the registry's certificate (the system's store when absent). */
  ca?: string | Buffer;
  /** PEM: Tenure's TLS client certificate and key, as most registries require. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** The name in the registry's certificate, when it differs from `host`. */
  servername?: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
}

/** What a session logs: frames with `pw` and `authInfo` already redacted, never a credential. */
export type FrameLogger = (direction: "sent" | "received", xml: string) => void;

export interface FrameOptions {
  log?: FrameLogger;
  /** Frames Tenure sends are always checked; answers too when this is on. */
  validateResponses: boolean;
}

/** The answer never came: the command may or may not have been applied. */
export class EppTransportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EppTransportError";
  }
}

interface Waiting {
  resolve(frame: string): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class EppConnection {
  private readonly decoder = new FrameDecoder();
  private waiting: Waiting | null = null;
  private queued: string[] = [];
  private failure: Error | null = null;
  private busy = false;

  private constructor(
    private readonly socket: TLSSocket,
    private readonly options: FrameOptions,
  ) {
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    socket.on("error", (error) =>
      this.fail(new EppTransportError(`EPP connection error: ${error.message}`, { cause: error })),
    );
    socket.on("close", () => this.fail(new EppTransportError("EPP connection closed by the registry")));
  }

  /** Connects and reads the greeting (answered as the first frame). */
  static async open(
    endpoint: EppEndpoint,
    options: FrameOptions,
  ): Promise<{ connection: EppConnection; greeting: string }> {
    const socket = await new Promise<TLSSocket>((resolve, reject) => {
      const socket = connect({
        host: endpoint.host,
        port: endpoint.port,
        ca: endpoint.ca,
        cert: endpoint.cert,
        key: endpoint.key,
        servername: endpoint.servername ?? (/^[\d.:]+$/.test(endpoint.host) ? undefined : endpoint.host),
        minVersion: "TLSv1.2",
      });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new EppTransportError(`EPP connect to ${endpoint.host}:${endpoint.port} timed out`));
      }, endpoint.connectTimeoutMs);
      socket.once("secureConnect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(socket);
      });
      socket.once("error", (error) => {
        clearTimeout(timer);
        reject(
          new EppTransportError(`EPP connect to ${endpoint.host}:${endpoint.port}: ${error.message}`, {
            cause: error,
          }),
        );
      });
    });
    const connection = new EppConnection(socket, options);
    const greeting = await connection.next(endpoint.connectTimeoutMs);
    return { connection, greeting };
  }

  get closed(): boolean {
    return this.failure !== null;
  }

  /** Sends one command and waits for its answer. Never two at once on one connection. */
  async exchange(xml: string, timeoutMs: number): Promise<string> {
    if (this.busy) throw new Error("EPP connection: a command is already in flight");
    if (this.failure) throw this.failure;
    const errors = frameErrors(xml);
    if (errors.length > 0) throw new EppSchemaError("sent", errors);
    this.busy = true;
    try {
      this.options.log?.("sent", redactFrame(xml));
      this.socket.write(encodeFrame(xml));
      return await this.next(timeoutMs);
    } finally {
      this.busy = false;
    }
  }

  close(): void {
    this.fail(new EppTransportError("EPP connection closed"));
    this.socket.destroy();
  }

  private next(timeoutMs: number): Promise<string> {
    const ready = this.queued.shift();
    if (ready !== undefined) return Promise.resolve(this.accept(ready));
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        // A late answer would be taken for the next command's: this connection is done.
        const error = new EppTransportError(`EPP answer not received within ${timeoutMs} ms`);
        this.fail(error);
        this.socket.destroy();
        reject(error);
      }, timeoutMs);
      this.waiting = {
        timer,
        resolve: (frame) => {
          try {
            resolve(this.accept(frame));
          } catch (error) {
            reject(error as Error);
          }
        },
        reject,
      };
    });
  }

  private accept(frame: string): string {
    this.options.log?.("received", redactFrame(frame));
    if (this.options.validateResponses) {
      const errors = frameErrors(frame);
      if (errors.length > 0) throw new EppSchemaError("received", errors);
    }
    return frame;
  }

  private receive(chunk: Buffer): void {
    let frames: string[];
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      this.fail(new EppTransportError((error as Error).message, { cause: error }));
      this.socket.destroy();
      return;
    }
    for (const frame of frames) {
      const waiting = this.waiting;
      if (waiting) {
        this.waiting = null;
        clearTimeout(waiting.timer);
        waiting.resolve(frame);
      } else {
        this.queued.push(frame);
      }
    }
  }

  private fail(error: Error): void {
    if (!this.failure) this.failure = error;
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = null;
      clearTimeout(waiting.timer);
      waiting.reject(this.failure);
    }
  }
}
