/**
 * What a project's own SQL may name in PostgreSQL, as allow-lists: a function or type that is not here is
 * refused before the statement reaches the server. A deny-list would have to know every catalog function
 * that turns an oid or a name into another tenant's name (`::regclass`, `pg_get_userbyid`,
 * `pg_describe_object`, `pg_identify_object`, `to_regclass`, `query_to_xml`, `obj_description`,
 * `nextval('schema.seq')`'s error, ...), and the next release adds more; this list only has to know what is
 * harmless. Nothing here reads the catalog by a name or an oid the caller gives.
 */

const AGGREGATES = [
  'count', 'sum', 'avg', 'min', 'max', 'array_agg', 'string_agg', 'json_agg', 'jsonb_agg', 'json_object_agg', 'jsonb_object_agg',
  'bool_and', 'bool_or', 'every', 'bit_and', 'bit_or', 'stddev', 'stddev_pop', 'stddev_samp', 'variance', 'var_pop', 'var_samp',
  'corr', 'covar_pop', 'covar_samp', 'regr_slope', 'regr_intercept', 'regr_count', 'regr_r2', 'percentile_cont', 'percentile_disc', 'mode',
];

const WINDOW = ['row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'first_value', 'last_value', 'nth_value'];

const MATH = [
  'abs', 'ceil', 'ceiling', 'floor', 'round', 'trunc', 'sign', 'sqrt', 'cbrt', 'power', 'pow', 'exp', 'ln', 'log', 'log10', 'mod', 'div',
  'pi', 'degrees', 'radians', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'atan2', 'random', 'width_bucket', 'gcd', 'lcm', 'factorial',
  'scale', 'trim_scale', 'min_scale',
];

const TEXT = [
  'length', 'char_length', 'character_length', 'octet_length', 'bit_length', 'lower', 'upper', 'initcap', 'btrim', 'ltrim', 'rtrim',
  'substring', 'substr', 'left', 'right', 'lpad', 'rpad', 'repeat', 'replace', 'reverse', 'split_part', 'strpos', 'position', 'overlay',
  'concat', 'concat_ws', 'format', 'md5', 'sha224', 'sha256', 'sha384', 'sha512', 'encode', 'decode', 'convert_to', 'convert_from',
  'translate', 'ascii', 'chr', 'starts_with', 'regexp_replace', 'regexp_match', 'regexp_matches', 'regexp_split_to_array',
  'regexp_split_to_table', 'regexp_count', 'regexp_instr', 'regexp_like', 'regexp_substr', 'quote_literal', 'quote_nullable',
  'string_to_array', 'array_to_string', 'to_hex', 'to_char', 'to_number', 'to_date', 'to_timestamp', 'normalize', 'is_normalized',
];

const TIME = [
  'now', 'date_trunc', 'date_part', 'extract', 'age', 'clock_timestamp', 'statement_timestamp', 'transaction_timestamp', 'make_date',
  'make_time', 'make_timestamp', 'make_timestamptz', 'make_interval', 'date_bin', 'justify_days', 'justify_hours', 'justify_interval',
  'isfinite', 'timezone', 'overlaps',
];

const JSON_FUNCTIONS = [
  'to_json', 'to_jsonb', 'row_to_json', 'array_to_json', 'json_build_object', 'jsonb_build_object', 'json_build_array', 'jsonb_build_array',
  'json_object', 'jsonb_object', 'json_array_length', 'jsonb_array_length', 'json_each', 'jsonb_each', 'json_each_text', 'jsonb_each_text',
  'json_extract_path', 'jsonb_extract_path', 'json_extract_path_text', 'jsonb_extract_path_text', 'json_object_keys', 'jsonb_object_keys',
  'json_array_elements', 'jsonb_array_elements', 'json_array_elements_text', 'jsonb_array_elements_text', 'json_typeof', 'jsonb_typeof',
  'json_strip_nulls', 'jsonb_strip_nulls', 'jsonb_set', 'jsonb_insert', 'jsonb_pretty', 'jsonb_path_query', 'jsonb_path_query_array',
  'jsonb_path_query_first', 'jsonb_path_exists', 'jsonb_path_match', 'json_to_record', 'jsonb_to_record', 'json_to_recordset',
  'jsonb_to_recordset',
];

const ARRAYS = [
  'array_length', 'array_lower', 'array_upper', 'array_position', 'array_positions', 'array_remove', 'array_replace', 'array_append',
  'array_prepend', 'array_cat', 'cardinality', 'unnest', 'array_dims', 'array_ndims', 'generate_series', 'generate_subscripts',
];

// similar_to_escape is what the parser writes for SIMILAR TO.
const MISC = ['num_nulls', 'num_nonnulls', 'gen_random_uuid', 'similar_to_escape'];

export const ALLOWED_FUNCTIONS: ReadonlySet<string> = new Set([...AGGREGATES, ...WINDOW, ...MATH, ...TEXT, ...TIME, ...JSON_FUNCTIONS, ...ARRAYS, ...MISC]);

/**
 * Types a cast may name: the column types the API creates and their usual spellings (the parser writes
 * `int`, `boolean`, `double precision` as pg_catalog.int4, bool, float8). No reg* type, no oid, no row type.
 */
export const ALLOWED_TYPES: ReadonlySet<string> = new Set([
  'text', 'varchar', 'bpchar', 'char', 'int2', 'int4', 'int8', 'smallint', 'integer', 'bigint', 'int', 'numeric', 'decimal', 'float4',
  'float8', 'real', 'bool', 'boolean', 'date', 'time', 'timetz', 'timestamp', 'timestamptz', 'interval', 'json', 'jsonb', 'jsonpath',
  'uuid', 'bytea',
]);
