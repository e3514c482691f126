/** A JSON value: what the API's `JSON` scalar carries (the generated types map `JSON` to it). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
