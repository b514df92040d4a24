// The guest side of one item of a batch (request `items`): the `args` and `ctx` that execute(args, ctx)
// receives, and the report the lane hands back: {value, ports}. The one source for every JavaScript
// lane: QuickJS loads it as its `batch-item` lib, the native lane's runner.mjs evaluates the same text in
// Node. What the report means (fan-out, item shapes, `paired`) is decided on the host
// (src/engine/items/item-output.ts), which also checks it again: this file only collects.
(function (_internal) {
  'use strict';

  /**
   * @param itemJson `{json, binary?}` of this item
   * @param index its position in the batch
   * @param itemsText returns the whole batch's JSON text; called only when the code reads args.items
   */
  function begin(itemJson, index, itemsText) {
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
    return {
      args,
      ctx,
      /** The report of what execute returned; undefined counts as nothing, like null. */
      report: (value) => ({ value: value === undefined ? null : value, ports: emitted ? ports : null }),
    };
  }

  return { begin };
})
