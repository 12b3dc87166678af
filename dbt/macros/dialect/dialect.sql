{#-
  The few SQL bits that differ between warehouses, behind adapter.dispatch so models stay
  dialect-free. Each macro has a duckdb implementation (the one that runs here) and careful
  default / snowflake / bigquery versions (written against each vendor's documentation; untested).
  Arrays are 0-indexed in what these macros expose, like Python.
-#}


{#- md5 of a text expression as 32 lowercase hex characters. -#}
{% macro qu_md5(expr) -%}
  {{ return(adapter.dispatch('qu_md5', 'query_understanding')(expr)) }}
{%- endmacro %}

{% macro default__qu_md5(expr) -%}
  md5({{ expr }})
{%- endmacro %}

{% macro bigquery__qu_md5(expr) -%}
  to_hex(md5({{ expr }}))
{%- endmacro %}


{#-
  Deterministic bucket in [0, n_buckets): the first 32 bits of md5(expr) as an integer, modulo
  n_buckets. Python reproduces it with int(hashlib.md5(s.encode()).hexdigest()[:8], 16) % n.
-#}
{% macro qu_hash_bucket(expr, n_buckets) -%}
  {{ return(adapter.dispatch('qu_hash_bucket', 'query_understanding')(expr, n_buckets)) }}
{%- endmacro %}

{% macro default__qu_hash_bucket(expr, n_buckets) -%}
  mod(cast(('0x' || substr(md5({{ expr }}), 1, 8)) as bigint), {{ n_buckets }})
{%- endmacro %}

{% macro duckdb__qu_hash_bucket(expr, n_buckets) -%}
  (cast(('0x' || substr(md5({{ expr }}), 1, 8)) as bigint) % {{ n_buckets }})
{%- endmacro %}

{#- The 8 hex digits as a 64-bit bit string (zero-padded: always non-negative), then an integer. -#}
{% macro postgres__qu_hash_bucket(expr, n_buckets) -%}
  mod(cast(cast(('x00000000' || substr(md5({{ expr }}), 1, 8)) as bit(64)) as bigint), {{ n_buckets }})
{%- endmacro %}

{% macro snowflake__qu_hash_bucket(expr, n_buckets) -%}
  mod(to_number(substr(md5({{ expr }}), 1, 8), 'XXXXXXXX'), {{ n_buckets }})
{%- endmacro %}

{% macro bigquery__qu_hash_bucket(expr, n_buckets) -%}
  mod(cast(concat('0x', substr(to_hex(md5({{ expr }})), 1, 8)) as int64), {{ n_buckets }})
{%- endmacro %}


{#- Trim and collapse every run of whitespace to one space. -#}
{% macro qu_collapse_whitespace(expr) -%}
  {{ return(adapter.dispatch('qu_collapse_whitespace', 'query_understanding')(expr)) }}
{%- endmacro %}

{% macro default__qu_collapse_whitespace(expr) -%}
  trim(regexp_replace({{ expr }}, '[[:space:]]+', ' '))
{%- endmacro %}

{% macro duckdb__qu_collapse_whitespace(expr) -%}
  trim(regexp_replace({{ expr }}, '[[:space:]]+', ' ', 'g'))
{%- endmacro %}

{#- trim() alone strips spaces only; every run is a single space by then, so the result is the same. -#}
{% macro postgres__qu_collapse_whitespace(expr) -%}
  trim(regexp_replace({{ expr }}, '[[:space:]]+', ' ', 'g'))
{%- endmacro %}


{#- Split a text on a one-character separator into an array of text. -#}
{% macro qu_split_to_array(expr, separator) -%}
  {{ return(adapter.dispatch('qu_split_to_array', 'query_understanding')(expr, separator)) }}
{%- endmacro %}

{% macro default__qu_split_to_array(expr, separator) -%}
  split({{ expr }}, '{{ separator }}')
{%- endmacro %}

{% macro duckdb__qu_split_to_array(expr, separator) -%}
  string_split({{ expr }}, '{{ separator }}')
{%- endmacro %}

{#- Unlike DuckDB's string_split, string_to_array('') is an empty array (callers never split ''). -#}
{% macro postgres__qu_split_to_array(expr, separator) -%}
  string_to_array({{ expr }}, '{{ separator }}')
{%- endmacro %}


{#- Number of elements of an array (null for a null array). -#}
{% macro qu_array_length(array_expr) -%}
  {{ return(adapter.dispatch('qu_array_length', 'query_understanding')(array_expr)) }}
{%- endmacro %}

{% macro default__qu_array_length(array_expr) -%}
  array_length({{ array_expr }})
{%- endmacro %}

{% macro duckdb__qu_array_length(array_expr) -%}
  len({{ array_expr }})
{%- endmacro %}

{#- cardinality: 0 for an empty array, like DuckDB's len (array_length(a, 1) would be null). -#}
{% macro postgres__qu_array_length(array_expr) -%}
  cardinality({{ array_expr }})
{%- endmacro %}

{% macro snowflake__qu_array_length(array_expr) -%}
  array_size({{ array_expr }})
{%- endmacro %}


{#- Aggregate values into an array in a given order. -#}
{% macro qu_array_agg_ordered(expr, order_by) -%}
  {{ return(adapter.dispatch('qu_array_agg_ordered', 'query_understanding')(expr, order_by)) }}
{%- endmacro %}

{% macro default__qu_array_agg_ordered(expr, order_by) -%}
  array_agg({{ expr }} order by {{ order_by }})
{%- endmacro %}

{% macro snowflake__qu_array_agg_ordered(expr, order_by) -%}
  array_agg({{ expr }}) within group (order by {{ order_by }})
{%- endmacro %}


{#- Join an array of text into one text. -#}
{% macro qu_array_to_string(array_expr, separator) -%}
  {{ return(adapter.dispatch('qu_array_to_string', 'query_understanding')(array_expr, separator)) }}
{%- endmacro %}

{% macro default__qu_array_to_string(array_expr, separator) -%}
  array_to_string({{ array_expr }}, '{{ separator }}')
{%- endmacro %}


{#- Type of an array of text, for typed empty relations. -#}
{% macro qu_string_array_type() -%}
  {{ return(adapter.dispatch('qu_string_array_type', 'query_understanding')()) }}
{%- endmacro %}

{% macro default__qu_string_array_type() -%}
  varchar[]
{%- endmacro %}

{% macro snowflake__qu_string_array_type() -%}
  array
{%- endmacro %}

{% macro bigquery__qu_string_array_type() -%}
  array<string>
{%- endmacro %}


{#-
  Explode an array into one row per element, as a FROM-clause fragment to put after a relation:
    from queries as q {{ qu_unnest_join('q.tokens', 'tok') }}
  then select {{ qu_unnest_value('tok') }} (the element, as text) and
  {{ qu_unnest_index('tok') }} (its 0-based position).
-#}
{% macro qu_unnest_join(array_expr, alias) -%}
  {{ return(adapter.dispatch('qu_unnest_join', 'query_understanding')(array_expr, alias)) }}
{%- endmacro %}

{% macro default__qu_unnest_join(array_expr, alias) -%}
  cross join unnest({{ array_expr }}) with ordinality as {{ alias }}(element_value, element_ordinality)
{%- endmacro %}

{% macro snowflake__qu_unnest_join(array_expr, alias) -%}
  , lateral flatten(input => {{ array_expr }}) as {{ alias }}
{%- endmacro %}

{% macro bigquery__qu_unnest_join(array_expr, alias) -%}
  cross join unnest({{ array_expr }}) as {{ alias }}_value with offset as {{ alias }}_offset
{%- endmacro %}

{% macro qu_unnest_value(alias) -%}
  {{ return(adapter.dispatch('qu_unnest_value', 'query_understanding')(alias)) }}
{%- endmacro %}

{% macro default__qu_unnest_value(alias) -%}
  {{ alias }}.element_value
{%- endmacro %}

{% macro snowflake__qu_unnest_value(alias) -%}
  {{ alias }}.value::varchar
{%- endmacro %}

{% macro bigquery__qu_unnest_value(alias) -%}
  {{ alias }}_value
{%- endmacro %}

{% macro qu_unnest_index(alias) -%}
  {{ return(adapter.dispatch('qu_unnest_index', 'query_understanding')(alias)) }}
{%- endmacro %}

{% macro default__qu_unnest_index(alias) -%}
  cast({{ alias }}.element_ordinality - 1 as integer)
{%- endmacro %}

{% macro snowflake__qu_unnest_index(alias) -%}
  cast({{ alias }}.index as integer)
{%- endmacro %}

{% macro bigquery__qu_unnest_index(alias) -%}
  {{ alias }}_offset
{%- endmacro %}


{#-
  Edit distance between two texts: Levenshtein, or with var fuzzy_transpositions Damerau-Levenshtein
  (a swap of two neighbouring letters is one edit, not two; only duckdb has it built in).
-#}
{% macro qu_edit_distance(a, b) -%}
  {{ return(adapter.dispatch('qu_edit_distance', 'query_understanding')(a, b)) }}
{%- endmacro %}

{% macro qu_require_no_transpositions() -%}
  {%- if var('fuzzy_transpositions', false) -%}
    {{ exceptions.raise_compiler_error("fuzzy_transpositions is only implemented for duckdb, not " ~ target.type) }}
  {%- endif -%}
{%- endmacro %}

{% macro default__qu_edit_distance(a, b) -%}
  {{ qu_require_no_transpositions() }}levenshtein({{ a }}, {{ b }})
{%- endmacro %}

{% macro duckdb__qu_edit_distance(a, b) -%}
  {%- if var('fuzzy_transpositions', false) -%}
  damerau_levenshtein({{ a }}, {{ b }})
  {%- else -%}
  levenshtein({{ a }}, {{ b }})
  {%- endif -%}
{%- endmacro %}

{#- The SQL function qu_create_functions() creates (on-run-start): DuckDB's two algorithms. -#}
{% macro postgres__qu_edit_distance(a, b) -%}
  {{ target.schema }}.qu_edit_distance({{ a }}, {{ b }}, {{ 'true' if var('fuzzy_transpositions', false) else 'false' }})
{%- endmacro %}

{% macro snowflake__qu_edit_distance(a, b) -%}
  {{ qu_require_no_transpositions() }}editdistance({{ a }}, {{ b }})
{%- endmacro %}

{% macro bigquery__qu_edit_distance(a, b) -%}
  {{ qu_require_no_transpositions() }}edit_distance({{ a }}, {{ b }})
{%- endmacro %}


{#-
  The annotated JSONL files (a list of paths or globs) as a relation (filename, id, tokens, tags). Only DuckDB reads local
  files; on a cloud warehouse load the files into a table (stage / external table) and point
  stg_annotated_queries at it instead.
-#}
{% macro qu_read_annotated_jsonl(path) -%}
  {{ return(adapter.dispatch('qu_read_annotated_jsonl', 'query_understanding')(path)) }}
{%- endmacro %}

{% macro default__qu_read_annotated_jsonl(path) -%}
  {{ exceptions.raise_compiler_error(
       "annotated_queries_path is only supported on duckdb; on " ~ target.type
       ~ " load the JSONL into a table and select from it in stg_annotated_queries") }}
{%- endmacro %}

{% macro duckdb__qu_read_annotated_jsonl(paths) -%}
  read_json(
    [{%- for path in paths %}'{{ path | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor -%}],
    format = 'newline_delimited',
    columns = {'id': 'varchar', 'tokens': 'varchar[]', 'tags': 'varchar[]'},
    filename = true
  )
{%- endmacro %}

{% macro postgres__qu_read_annotated_jsonl(path) -%}
  {{ exceptions.raise_compiler_error(
       "annotated_queries_path (QU_ANNOTATED_QUERIES) is read from files on duckdb only; the postgres "
       ~ "server cannot read " ~ path | join(", ") ~ ": unset it, or load the JSONL into a table and select from it "
       ~ "in stg_annotated_queries") }}
{%- endmacro %}


{#-
  ISO-8601 text with a UTC offset ("2026-11-29T07:46:43.231Z") as a timestamp without time zone,
  in UTC, comparable with raw.query_logs.event_ts (naive UTC). Without the explicit conversion
  DuckDB's text-to-timestamp cast drops a non-zero offset instead of applying it.
-#}
{% macro qu_utc_timestamp(text_expr) -%}
  {{ return(adapter.dispatch('qu_utc_timestamp', 'query_understanding')(text_expr)) }}
{%- endmacro %}

{% macro default__qu_utc_timestamp(text_expr) -%}
  (cast({{ text_expr }} as timestamp with time zone) at time zone 'UTC')
{%- endmacro %}

{% macro duckdb__qu_utc_timestamp(text_expr) -%}
  timezone('UTC', cast({{ text_expr }} as timestamptz))
{%- endmacro %}

{% macro snowflake__qu_utc_timestamp(text_expr) -%}
  convert_timezone('UTC', to_timestamp_tz({{ text_expr }}))::timestamp_ntz
{%- endmacro %}

{% macro bigquery__qu_utc_timestamp(text_expr) -%}
  timestamp({{ text_expr }})
{%- endmacro %}


{#-
  One field of a struct / object value (e.g. an element of an array of structs exploded with
  qu_unnest_join and read with qu_unnest_element). Works for field names that are keywords ("end").
-#}
{% macro qu_struct_field(struct_expr, field) -%}
  {{ return(adapter.dispatch('qu_struct_field', 'query_understanding')(struct_expr, field)) }}
{%- endmacro %}

{% macro default__qu_struct_field(struct_expr, field) -%}
  ({{ struct_expr }})."{{ field }}"
{%- endmacro %}

{% macro duckdb__qu_struct_field(struct_expr, field) -%}
  struct_extract({{ struct_expr }}, '{{ field }}')
{%- endmacro %}

{#- On postgres a struct is a jsonb object (the prediction log's entities are jsonb[]): the field as text. -#}
{% macro postgres__qu_struct_field(struct_expr, field) -%}
  (({{ struct_expr }}) ->> '{{ field }}')
{%- endmacro %}

{% macro snowflake__qu_struct_field(struct_expr, field) -%}
  {{ struct_expr }}:"{{ field }}"
{%- endmacro %}

{% macro bigquery__qu_struct_field(struct_expr, field) -%}
  {{ struct_expr }}.`{{ field }}`
{%- endmacro %}


{#- The element itself (any type, not cast to text) of an array exploded with qu_unnest_join. -#}
{% macro qu_unnest_element(alias) -%}
  {{ return(adapter.dispatch('qu_unnest_element', 'query_understanding')(alias)) }}
{%- endmacro %}

{% macro default__qu_unnest_element(alias) -%}
  {{ alias }}.element_value
{%- endmacro %}

{% macro snowflake__qu_unnest_element(alias) -%}
  {{ alias }}.value
{%- endmacro %}

{% macro bigquery__qu_unnest_element(alias) -%}
  {{ alias }}_value
{%- endmacro %}


{#- An 8-byte floating point type (dbt.type_float() is a 4-byte FLOAT on duckdb). -#}
{% macro qu_double_type() -%}
  {{ return(adapter.dispatch('qu_double_type', 'query_understanding')()) }}
{%- endmacro %}

{% macro default__qu_double_type() -%}
  double precision
{%- endmacro %}

{% macro bigquery__qu_double_type() -%}
  float64
{%- endmacro %}


{#-
  What the postgres dialect needs beyond built-ins, created by the project's on-run-start hook
  (idempotent; nothing on other targets): qu_edit_distance(a, b, transpositions), DuckDB's
  levenshtein and damerau_levenshtein (the Lowrance-Wagner algorithm, unrestricted, over
  characters), so fuzzy matches, and with them the labels, are the same on both. PostgreSQL's
  fuzzystrmatch has no Damerau variant and needs an extension (a privilege) to install.
-#}
{% macro qu_create_functions() -%}
  {{ return(adapter.dispatch('qu_create_functions', 'query_understanding')()) }}
{%- endmacro %}

{% macro default__qu_create_functions() -%}
  select 1
{%- endmacro %}

{% macro postgres__qu_create_functions() -%}
create schema if not exists {{ target.schema }};
create or replace function {{ target.schema }}.qu_edit_distance(a text, b text, transpositions boolean)
returns integer language plpgsql immutable strict parallel safe as $qu$
declare
    x text[] := regexp_split_to_array(a, '');
    y text[] := regexp_split_to_array(b, '');
    n integer := char_length(a);
    m integer := char_length(b);
    width integer := m + 2;
    big integer := n + m;
    d integer[];
    i integer; j integer; k integer; l integer; last_col integer; cost integer; best integer;
begin
    if n = 0 then return m; end if;
    if m = 0 then return n; end if;
    -- d[(i + 1) * width + (j + 1) + 1] is the distance of x[1..i] and y[1..j]; row and column -1
    -- hold the sentinel `big`
    d := array_fill(0, array[(n + 2) * width]);
    d[1] := big;
    for i in 0..n loop
        d[(i + 1) * width + 1] := big;
        d[(i + 1) * width + 2] := i;
    end loop;
    for j in 0..m loop
        d[j + 2] := big;
        d[width + j + 2] := j;
    end loop;
    for i in 1..n loop
        last_col := 0;
        for j in 1..m loop
            cost := case when x[i] = y[j] then 0 else 1 end;
            best := least(
                d[i * width + j + 1] + cost,
                d[(i + 1) * width + j + 1] + 1,
                d[i * width + j + 2] + 1
            );
            if transpositions then
                -- k: the last row before i whose character is y[j]; l: the last column before j
                -- whose character is x[i]
                k := 0;
                for r in reverse (i - 1)..1 loop
                    if x[r] = y[j] then k := r; exit; end if;
                end loop;
                l := last_col;
                best := least(best, d[k * width + l + 1] + (i - k - 1) + 1 + (j - l - 1));
            end if;
            if cost = 0 then last_col := j; end if;
            d[(i + 1) * width + j + 2] := best;
        end loop;
    end loop;
    return d[(n + 1) * width + m + 2];
end
$qu$
{%- endmacro %}
