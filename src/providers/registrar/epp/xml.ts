/**
 * EPP XML, built and read with fast-xml-parser (pure JavaScript, no native code, maintained and
 * the most used XML package on npm). Element order is the key order of the objects given, which is
 * the order the schemas demand. Read frames drop their namespace prefixes: a registry may write
 * `domain:name` or a default namespace, both read as `name`.
 */
import { XMLBuilder, XMLParser } from "fast-xml-parser";

export const NS = {
  epp: "urn:ietf:params:xml:ns:epp-1.0",
  domain: "urn:ietf:params:xml:ns:domain-1.0",
  host: "urn:ietf:params:xml:ns:host-1.0",
  contact: "urn:ietf:params:xml:ns:contact-1.0",
  rgp: "urn:ietf:params:xml:ns:rgp-1.0",
  secDNS: "urn:ietf:params:xml:ns:secDNS-1.1",
} as const;

// biome-ignore lint/suspicious/noExplicitAny: XML trees are dynamic by nature; readers below narrow them.
export type XmlNode = any;

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  textNodeName: "#text",
  suppressEmptyNode: true,
  processEntities: true,
});

const ALWAYS_ARRAYS = new Set(["result", "status", "hostObj", "cd", "objURI", "extURI", "value"]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  textNodeName: "#text",
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name, _path, _leaf, isAttribute) => !isAttribute && ALWAYS_ARRAYS.has(name),
});

/** `{ epp: … }` with the EPP namespace on the root, as a whole document. */
export function buildEpp(content: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="no"?>${builder.build({
    epp: { "@_xmlns": NS.epp, ...content },
  })}`;
}

/** The `<epp>` element of a frame, prefixes removed. */
export function parseEpp(xml: string): XmlNode {
  const parsed = parser.parse(xml) as XmlNode;
  if (!parsed || typeof parsed !== "object" || !parsed.epp) throw new Error("not an EPP frame");
  return parsed.epp;
}

/** The text of a leaf whether or not it carries attributes. */
export function text(node: XmlNode): string | undefined {
  if (node === undefined || node === null) return undefined;
  if (typeof node === "string") return node;
  if (typeof node === "number" || typeof node === "boolean") return String(node);
  const inner = node["#text"];
  return inner === undefined ? "" : String(inner);
}

export function asArray<T>(node: T | T[] | undefined): T[] {
  if (node === undefined || node === null) return [];
  return Array.isArray(node) ? node : [node];
}
