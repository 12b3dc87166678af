-- The user's brand aliases (var catalog_aliases_path, env QU_CATALOG_ALIASES; source
-- raw.catalog_aliases, on DuckDB the file itself, CSV by default): brand, alias, alias_kind
-- (alias | misspelling; `alias` when the file has no alias_kind column), lowercased and
-- single-spaced like the seed brand_aliases. A file without brand or alias fails here, naming the
-- file and the column. With no path: an empty relation of the same columns and types.
-- depends_on: {{ source('raw', 'catalog_aliases') }}

{{ config(materialized='table') }}

{%- set aliases_path = var('catalog_aliases_path', '') | trim %}

{% if aliases_path %}

{%- set reader = qu_read_source_file('catalog_aliases', aliases_path) %}
{%- set columns = qu_source_file_columns(
        'catalog_aliases', aliases_path, 'catalog aliases file', ['brand', 'alias'], ['brand', 'alias', 'alias_kind', 'filename']) %}

with alias_lines as (
    select
        {{ qu_text_column('brand', columns) }} as brand,
        {{ qu_text_column('alias', columns) }} as alias,
        {{ qu_text_column('alias_kind', columns) }} as alias_kind,
        cast(filename as {{ dbt.type_string() }}) as source_file
    from {{ reader }}
)

select
    {{ qu_catalog_key('brand') }} as brand,
    {{ qu_catalog_key('alias') }} as alias,
    coalesce(nullif({{ qu_catalog_key('alias_kind') }}, ''), 'alias') as alias_kind,
    coalesce(source_file, '{{ aliases_path | replace("'", "''") }}') as source_file
from alias_lines

{% else %}

select
    cast(null as {{ dbt.type_string() }}) as brand,
    cast(null as {{ dbt.type_string() }}) as alias,
    cast(null as {{ dbt.type_string() }}) as alias_kind,
    cast(null as {{ dbt.type_string() }}) as source_file
from (select 1 as placeholder) as no_aliases_file
where 1 = 0

{% endif %}
