import { Validator, format } from '@cfworker/json-schema';
const cases = [
 [{type:'object',properties:{count:{type:'integer'}},required:['count','x']}, {count:'a'}],
 [{type:'object',properties:{count:{type:'integer'}},required:['count','x']}, {count:1}],
 [{type:'object',additionalProperties:false,properties:{a:{}}}, {a:1,b:2}],
 [{$defs:{n:{type:'number',maximum:3}},type:'object',properties:{a:{$ref:'#/$defs/n'}}}, {a:5}],
 [{type:'array',items:{type:'string'}}, ['a',2]],
 [{type:'string',format:'nope'}, 'x'],
 [{type:'string',foo:1}, 'x'],
 [{unevaluatedProperties:false,properties:{a:{}}}, {a:1,b:1}],
 [{type:'string',format:'email'}, 'x'],
];
for (const [s,v] of cases) { const r = new Validator(s,'2020-12',true).validate(v); console.log(JSON.stringify(r.errors)); }
console.log(Object.keys(format));
