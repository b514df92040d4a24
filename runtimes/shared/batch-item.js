// The guest side of one item of a batch (request `items`): the `args` and `ctx` that execute(args, ctx)
// receives, and the report the lane hands back: {value, ports}. The one source for every JavaScript
// lane: QuickJS loads it as its `batch-item` lib, the native lane's runner.mjs evaluates the same text in
// Node. What the report means (fan-out, item shapes, `paired`) is decided on the host
// (src/engine/items/item-output.ts), which also checks it again: this file only collects.
(function (_internal) {
  'use strict';

  const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;
  /** What attach()'s reference says until the host stored the bytes (src/lanes/lane.ts OUTBOX_ID_PREFIX). */
  const OUTBOX_ID_PREFIX = 'outbox:';

  function bytesOf(body) {
    if (typeof body === 'string') return new TextEncoder().encode(body);
    if (body instanceof Uint8Array) return body;
    if (body instanceof ArrayBuffer) return new Uint8Array(body);
    if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    throw new TypeError('ctx.binary.attach: body must be a string, a Uint8Array/Buffer or an ArrayBuffer');
  }

  /**
   * @param itemJson `{json, binary?}` of this item
   * @param index its position in the batch
   * @param itemsText returns the whole batch's JSON text; called only when the code reads args.items
   * @param io the lane's files: read(name) -> bytes of the input attachment /data/binary/<index>/<name>;
   *   write(name, bytes) -> a new attachment into the lane's outbox directory, which the host collects
   */
  function begin(itemJson, index, itemsText, io) {
    const item = JSON.parse(itemJson);
    const ports = Object.create(null);
    let emitted = false;
    let items;
    const args = {
      input: item.json,
      item,
      itemIndex: index,
      get items() {
        if (items === undefined) items = JSON.parse(itemsText());
        return items;
      },
    };
    const ctx = {
      /** Route items to named ports: ctx.emitPorts({ error: [{ json: {...} }] }). Calls add up. */
      emitPorts(byPort) {
        if (byPort === null || typeof byPort !== 'object' || Array.isArray(byPort)) {
          throw new TypeError('ctx.emitPorts takes an object of item arrays by port name, e.g. { error: [{ json: { reason: "..." } }] }');
        }
        for (const name of Object.keys(byPort)) {
          const list = byPort[name];
          if (!Array.isArray(list)) throw new TypeError('ctx.emitPorts: port "' + name + '" must be an array of items');
          const target = ports[name] || (ports[name] = []);
          for (let i = 0; i < list.length; i++) target.push(list[i]);
          emitted = true;
        }
      },
    };
    /** The item's attachments (files under /data/binary/<index>/) and new ones (files in the outbox). */
    ctx.binary = {
      get(name) {
        if (!item.binary || !Object.hasOwn(item.binary, name)) return undefined;
        return io.read(name);
      },
      attach(options) {
        const { name, body, mimeType, filename } = options || {};
        if (typeof name !== 'string' || !NAME.test(name)) throw new TypeError('ctx.binary.attach: name must be letters, digits, _ . - (at most 128), got ' + JSON.stringify(name));
        const bytes = bytesOf(body);
        io.write(name, bytes);
        const ref = { id: OUTBOX_ID_PREFIX + name, size: bytes.byteLength };
        if (typeof mimeType === 'string') ref.mime_type = mimeType;
        if (typeof filename === 'string') ref.filename = filename;
        return ref;
      },
    };
    return {
      args,
      ctx,
      /** The report of what execute returned; undefined counts as nothing, like null. */
      report: (value) => ({ value: value === undefined ? null : value, ports: emitted ? ports : null }),
    };
  }

  return { begin };
})
