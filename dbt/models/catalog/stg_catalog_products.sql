-- The user's product feed (var catalog_products_path, env QU_CATALOG_PRODUCTS; source
-- raw.catalog_products, on DuckDB the file itself: CSV, Parquet or JSONL by extension), one row
-- per line, trimmed and single-spaced, the catalog keys (brand, color, product_type, category)
-- lowercased as the seeds write them; categories also snake_cased ("Home Decor" -> home_decor,
-- the seeds' style). brand_display keeps the feed's casing. Extra columns are ignored; title,
-- color and category are optional. A file without product_id, brand or product_type fails here,
-- naming the file and the column. Bad rows are kept so that the tests on this model report them
-- (and stop everything downstream). With no path: an empty relation of the same columns and types.
-- A table: one snapshot of the file per build.
-- depends_on: {{ source('raw', 'catalog_products') }}

{{ config(materialized='table') }}

{%- set feed_path = var('catalog_products_path', '') | trim %}
{%- set known = ['product_id', 'title', 'brand', 'color', 'product_type', 'category', 'filename'] %}

{% if feed_path %}

{%- set reader = qu_read_source_file('catalog_products', feed_path) %}
{%- set columns = qu_source_file_columns(
        'catalog_products', feed_path, 'catalog feed', ['product_id', 'brand', 'product_type'], known) %}

with feed_lines as (
    select
        {{ qu_text_column('product_id', columns) }} as product_id,
        {{ qu_text_column('title', columns) }} as title,
        {{ qu_text_column('brand', columns) }} as brand,
        {{ qu_text_column('color', columns) }} as color,
        {{ qu_text_column('product_type', columns) }} as product_type,
        {{ qu_text_column('category', columns) }} as category,
        cast(filename as {{ dbt.type_string() }}) as source_file
    from {{ reader }}
)

select
    nullif(trim(product_id), '') as product_id,
    nullif({{ qu_collapse_whitespace('title') }}, '') as title,
    {{ qu_catalog_key('brand') }} as brand,
    {{ qu_collapse_whitespace('brand') }} as brand_display,
    nullif({{ qu_catalog_key('color') }}, '') as color,
    {{ qu_catalog_key('product_type') }} as product_type,
    nullif(replace(replace({{ qu_catalog_key('category') }}, ' ', '_'), '-', '_'), '') as category,
    coalesce(source_file, '{{ feed_path | replace("'", "''") }}') as source_file
from feed_lines

{% else %}

select
    cast(null as {{ dbt.type_string() }}) as product_id,
    cast(null as {{ dbt.type_string() }}) as title,
    cast(null as {{ dbt.type_string() }}) as brand,
    cast(null as {{ dbt.type_string() }}) as brand_display,
    cast(null as {{ dbt.type_string() }}) as color,
    cast(null as {{ dbt.type_string() }}) as product_type,
    cast(null as {{ dbt.type_string() }}) as category,
    cast(null as {{ dbt.type_string() }}) as source_file
from (select 1 as placeholder) as no_product_feed
where 1 = 0

{% endif %}
