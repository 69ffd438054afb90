/**
 * Validates EPP frames against the IETF schemas (./xsd, copied from the RFCs: see xsd/README.md)
 * with libxml2 compiled to WebAssembly (`libxml2-wasm`: no native build). `all.xsd` imports every
 * mapping, so one validator judges any frame: the envelope (RFC 5730) and, through its strict
 * wildcards, the domain, host, contact, RGP and secDNS elements inside it.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { XmlDocument, XsdValidator } from "libxml2-wasm";
import { xmlRegisterFsInputProviders } from "libxml2-wasm/lib/nodejs.mjs";

let validator: XsdValidator | null = null;

/**
 * The schema folder beside this module; else the source one, found from the nearest folder above
 * that holds it: the compiled `dist/`, or a bundle (the crash tests' workers) elsewhere in the tree.
 */
export function schemaDirectory(): string {
  const beside = fileURLToPath(new URL("./xsd/", import.meta.url));
  if (existsSync(join(beside, "all.xsd"))) return beside;
  for (let dir = dirname(beside); ; dir = dirname(dir)) {
    const source = join(dir, "src/providers/registrar/epp/xsd/");
    if (existsSync(join(source, "all.xsd"))) return source;
    if (dirname(dir) === dir) throw new Error(`EPP schemas not found above ${beside}`);
  }
}

function loadValidator(): XsdValidator {
  if (validator) return validator;
  xmlRegisterFsInputProviders();
  const file = join(schemaDirectory(), "all.xsd");
  const schema = XmlDocument.fromBuffer(readFileSync(file), { url: file });
  // The schema document stays alive with the validator (libxml2 keeps pointers into it).
  validator = XsdValidator.fromDoc(schema);
  return validator;
}

/** The schema errors of a frame (empty when it is valid). */
export function frameErrors(xml: string): string[] {
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromString(xml);
  } catch (error) {
    return [`not well-formed XML: ${error instanceof Error ? error.message : String(error)}`];
  }
  try {
    loadValidator().validate(doc);
    return [];
  } catch (error) {
    const details = (error as { details?: { message: string }[] }).details;
    if (details?.length) return details.map((detail) => detail.message.trim());
    return [error instanceof Error ? error.message : String(error)];
  } finally {
    doc.dispose();
  }
}

export class EppSchemaError extends Error {
  constructor(
    readonly direction: "sent" | "received",
    readonly errors: string[],
  ) {
    super(`EPP frame ${direction} does not match the schemas: ${errors.join("; ")}`);
    this.name = "EppSchemaError";
  }
}
