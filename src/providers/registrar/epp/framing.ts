/**
 * RFC 5734 framing: every EPP data unit is preceded by a 4-byte big-endian length that counts
 * itself. TCP delivers bytes, not frames: the decoder keeps what it has until a frame is whole,
 * and a chunk may end in the middle of the header, the body, or carry several frames at once.
 */
export const HEADER_BYTES = 4;
/** A frame larger than this is refused (a garbled length would otherwise make us wait forever). */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

export class EppFramingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EppFramingError";
  }
}

export function encodeFrame(xml: string): Buffer {
  const body = Buffer.from(xml, "utf8");
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32BE(body.length + HEADER_BYTES, 0);
  return Buffer.concat([header, body]);
}

export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxFrameBytes = MAX_FRAME_BYTES) {}

  /** Adds bytes read from the wire; answers the frames now complete, in order. */
  push(chunk: Buffer): string[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: string[] = [];
    while (this.pending.length >= HEADER_BYTES) {
      const total = this.pending.readUInt32BE(0);
      if (total < HEADER_BYTES || total > this.maxFrameBytes) {
        throw new EppFramingError(`EPP frame length ${total} is out of bounds`);
      }
      if (this.pending.length < total) break;
      frames.push(this.pending.subarray(HEADER_BYTES, total).toString("utf8"));
      this.pending = this.pending.subarray(total);
    }
    return frames;
  }

  /** Bytes received that do not make a whole frame yet. */
  get buffered(): number {
    return this.pending.length;
  }
}
