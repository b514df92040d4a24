// console.table, drawn exactly as Node draws it (lib/internal/cli_table.js and console's table()):
// an (index) column, one column per property, a Values column for primitives, left-aligned cells.
(function (internal) {
  'use strict';
  const { inspect } = internal.lib('inspect');
  const CHARS = { middleMiddle: '─', rowMiddle: '┼', topRight: '┐', topLeft: '┌', leftMiddle: '├', topMiddle: '┬', bottomRight: '┘', bottomLeft: '└', bottomMiddle: '┴', rightMiddle: '┤', left: '│ ', right: ' │', middle: ' │ ' };
  const width = (s) => Array.from(String(s)).length;

  function renderRow(row, widths) {
    let out = CHARS.left;
    for (let i = 0; i < row.length; i++) {
      const cell = row[i];
      out += cell + ' '.repeat(widths[i] - width(cell)); // left-aligned, as in Node 20.10+
      if (i !== row.length - 1) out += CHARS.middle;
    }
    return out + CHARS.right;
  }

  function draw(head, columns) {
    const rows = [];
    const widths = head.map(width);
    const longest = Math.max(...columns.map((c) => c.length));
    for (let i = 0; i < head.length; i++) {
      for (let j = 0; j < longest; j++) {
        if (rows[j] === undefined) rows[j] = [];
        const value = (rows[j][i] = Object.hasOwn(columns[i], j) ? columns[i][j] : '');
        widths[i] = Math.max(widths[i] || 0, width(value));
      }
    }
    const divider = widths.map((w) => CHARS.middleMiddle.repeat(w + 2));
    let out = CHARS.topLeft + divider.join(CHARS.topMiddle) + CHARS.topRight + '\n' + renderRow(head, widths) + '\n';
    out += CHARS.leftMiddle + divider.join(CHARS.rowMiddle) + CHARS.rightMiddle + '\n';
    for (const row of rows) out += renderRow(row, widths) + '\n';
    return out + CHARS.bottomLeft + divider.join(CHARS.bottomMiddle) + CHARS.bottomRight;
  }

  const cell = (v) => {
    const depth = v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 2 ? -1 : 0;
    return inspect(v, { depth, maxArrayLength: 3, breakLength: Infinity });
  };

  /** The text console.table(data, properties) prints, or undefined when Node would console.log(data). */
  function table(data, properties) {
    if (data === null || typeof data !== 'object') return undefined;
    const isMap = data instanceof Map;
    const isSet = data instanceof Set;
    if (isMap || isSet) {
      const index = [];
      const keys = [];
      const values = [];
      let i = 0;
      for (const entry of data) {
        index.push(cell(i++));
        if (isMap) keys.push(cell(entry[0]));
        values.push(cell(isMap ? entry[1] : entry));
      }
      return isMap ? draw(['(iteration index)', 'Key', 'Values'], [index, keys, values]) : draw(['(iteration index)', 'Values'], [index, values]);
    }
    const map = Object.create(null);
    let hasPrimitives = false;
    const primitives = [];
    const indexKeys = Object.keys(data);
    indexKeys.forEach((indexKey, i) => {
      const item = data[indexKey];
      const primitive = item === null || (typeof item !== 'function' && typeof item !== 'object');
      if (properties === undefined && primitive) {
        hasPrimitives = true;
        primitives[i] = cell(item);
      } else {
        for (const key of properties || Object.keys(item)) {
          if (map[key] === undefined) map[key] = [];
          map[key][i] = (primitive && properties) || !Object.hasOwn(item, key) ? '' : cell(item[key]);
        }
      }
    });
    const head = Object.keys(map);
    const columns = Object.values(map);
    if (hasPrimitives) {
      head.push('Values');
      columns.push(primitives);
    }
    head.unshift('(index)');
    columns.unshift(indexKeys);
    return draw(head, columns);
  }

  return { table };
});
