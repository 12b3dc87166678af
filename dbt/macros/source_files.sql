{#-
  Reading the user's own files (bring your own catalog and click logs): a product feed (var
  catalog_products_path), brand aliases (catalog_aliases_path) and click logs (click_logs_path).
  Each is declared as a table of source `raw` (so lineage, and Dagster, show where its rows come
  from); on DuckDB the file is read directly, its format chosen by extension:
    .csv / .tsv (every column read as text), .parquet, .jsonl / .ndjson / .json (one object a
    line); a trailing .gz is allowed.
  On another warehouse (postgres included: the server cannot read the pipeline's local files),
  load the file into the source table: it is read from there, and a missing table fails the model
  with a message that says so. A file that lacks a required column fails the model with a message that names the file and the
  column(s), before any row is read (qu_source_file_columns, a query at run time).
-#}


{#-
  The file as a relation with its own columns plus `filename` (null on other warehouses), as a
  FROM-clause fragment. `source_table` names the source raw.<source_table> read on other warehouses.
-#}
{% macro qu_read_source_file(source_table, path) -%}
  {{ return(adapter.dispatch('qu_read_source_file', 'query_understanding')(source_table, path)) }}
{%- endmacro %}

{% macro default__qu_read_source_file(source_table, path) -%}
  (select *, cast(null as {{ dbt.type_string() }}) as filename from {{ source('raw', source_table) }})
{%- endmacro %}

{% macro duckdb__qu_read_source_file(source_table, path) -%}
  {%- set quoted = path | replace("'", "''") -%}
  {%- set format = qu_source_file_format(path) -%}
  {%- if format == 'csv' -%}
  read_csv('{{ quoted }}', header = true, all_varchar = true, filename = true)
  {%- elif format == 'parquet' -%}
  read_parquet('{{ quoted }}', filename = true)
  {%- else -%}
  read_json('{{ quoted }}', format = 'newline_delimited', filename = true)
  {%- endif -%}
{%- endmacro %}


{#- csv, parquet or json from the file extension (case-insensitive, a trailing .gz ignored). -#}
{% macro qu_source_file_format(path) -%}
  {%- set name = path | lower -%}
  {%- if name.endswith('.gz') -%}{%- set name = name[:-3] -%}{%- endif -%}
  {%- if name.endswith('.csv') or name.endswith('.tsv') -%}
    {{ return('csv') }}
  {%- elif name.endswith('.parquet') -%}
    {{ return('parquet') }}
  {%- elif name.endswith('.jsonl') or name.endswith('.ndjson') or name.endswith('.json') -%}
    {{ return('json') }}
  {%- endif -%}
  {{ exceptions.raise_compiler_error(
       "cannot tell the format of " ~ path ~ " from its extension: use .csv, .parquet, .jsonl or .ndjson") }}
{%- endmacro %}


{#-
  The lowercase column names of the file (the relation qu_read_source_file(source_table, path)
  reads), checked at run time: raises, naming `what` and `path`, when the file does not exist or
  lacks one of `required`. While dbt parses (no queries then) it returns `known`, the columns the
  model may read. On another warehouse: the columns of the loaded source table.
-#}
{% macro qu_source_file_columns(source_table, path, what, required, known) -%}
  {%- if not execute -%}
    {{ return(known) }}
  {%- endif -%}
  {%- set columns = [] -%}
  {%- if target.type == 'duckdb' -%}
    {%- set found = run_query("select count(*) from glob('" ~ (path | replace("'", "''")) ~ "')") -%}
    {%- if found.columns[0].values()[0] == 0 -%}
      {{ exceptions.raise_compiler_error(what ~ " " ~ path ~ " does not exist") }}
    {%- endif -%}
    {%- set described = run_query("describe select * from " ~ qu_read_source_file(source_table, path)) -%}
    {%- for name in described.columns[0].values() -%}
      {%- do columns.append(name | lower) -%}
    {%- endfor -%}
  {%- else -%}
    {%- set loaded = adapter.get_relation(database=target.database, schema='raw', identifier=source_table) -%}
    {%- if loaded is none -%}
      {{ exceptions.raise_compiler_error(
           what ~ " " ~ path ~ ": files are read on duckdb only; on " ~ target.type ~ " load the file into the table raw."
           ~ source_table ~ " (e.g. psql \\copy) and keep the setting as a switch, or unset it") }}
    {%- endif -%}
    {%- for column in adapter.get_columns_in_relation(source('raw', source_table)) -%}
      {%- do columns.append(column.name | lower) -%}
    {%- endfor -%}
    {%- do columns.append('filename') -%}
  {%- endif -%}
  {%- set missing = [] -%}
  {%- for name in required -%}
    {%- if name not in columns -%}{%- do missing.append(name) -%}{%- endif -%}
  {%- endfor -%}
  {%- if missing -%}
    {{ exceptions.raise_compiler_error(
         what ~ " " ~ path ~ " lacks required column(s): " ~ missing | join(", ")
         ~ " (it has: " ~ (columns | reject('equalto', 'filename') | join(", ")) ~ ")") }}
  {%- endif -%}
  {{ return(columns) }}
{%- endmacro %}


{#- A column of the file as text, or a typed null when the file lacks that (optional) column. -#}
{% macro qu_text_column(name, columns) -%}
  {%- if name in columns -%}
  cast("{{ name }}" as {{ dbt.type_string() }})
  {%- else -%}
  cast(null as {{ dbt.type_string() }})
  {%- endif -%}
{%- endmacro %}


{#-
  A key of the catalog as the seeds write it: lowercase, trimmed, single-spaced. Null stays null,
  a blank value becomes '' (the tests on the feed's staging model report it).
-#}
{% macro qu_catalog_key(expr) -%}
  lower({{ qu_collapse_whitespace(expr) }})
{%- endmacro %}


{#- var catalog_mode, checked: merge (seeds + feed) or replace (the feed's entities only). -#}
{% macro qu_catalog_mode() -%}
  {%- set mode = var('catalog_mode', 'merge') | trim | lower -%}
  {%- if mode not in ('merge', 'replace') -%}
    {{ exceptions.raise_compiler_error("var catalog_mode must be merge or replace, got '" ~ mode ~ "'") }}
  {%- endif -%}
  {{ return(mode) }}
{%- endmacro %}


{#-
  Text with an optional UTC offset ("2024-03-01 10:00:00", "2024-03-01T10:00:00Z",
  "...+02:00") as a timestamp without time zone in UTC, like raw.query_logs.event_ts: a naive
  text is taken as UTC, an offset is applied (a plain cast would drop it).
-#}
{% macro qu_event_timestamp(text_expr) -%}
  case
    when {{ qu_regexp_matches(text_expr, '[0-9]:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$') }}
      then {{ qu_utc_timestamp(text_expr) }}
    else cast({{ text_expr }} as {{ dbt.type_timestamp() }})
  end
{%- endmacro %}


{#- Whether a text matches a regular expression (anywhere in it). -#}
{% macro qu_regexp_matches(expr, pattern) -%}
  {{ return(adapter.dispatch('qu_regexp_matches', 'query_understanding')(expr, pattern)) }}
{%- endmacro %}

{% macro default__qu_regexp_matches(expr, pattern) -%}
  ({{ expr }} ~ '{{ pattern }}')
{%- endmacro %}

{% macro duckdb__qu_regexp_matches(expr, pattern) -%}
  regexp_matches({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro snowflake__qu_regexp_matches(expr, pattern) -%}
  regexp_like({{ expr }}, '.*{{ pattern }}')
{%- endmacro %}

{% macro bigquery__qu_regexp_matches(expr, pattern) -%}
  regexp_contains({{ expr }}, r'{{ pattern }}')
{%- endmacro %}
