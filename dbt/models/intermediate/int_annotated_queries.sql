-- Annotated rows in the shape of labeled_queries: one row per distinct query text, its file split,
-- and slice flags read off its BRAND spans. When a text (or its normalized form) is in several
-- files, the evaluation split wins (test > dev > train), so no text is in two splits and nothing
-- that is evaluated on is trained on. A BRAND span that reads as a held-out brand's surface sets
-- has_unseen_brand; one that reads as a known misspelling sets has_typo (annotations say nothing
-- about COLOR / TYPE typos).

with annotated_lines as (
    select *
    from {{ ref('stg_annotated_queries') }}
    where query_text is not null
),

one_row_per_text as (
    select
        *,
        row_number() over (
            partition by query_text
            order by {{ qu_split_priority('file_split') }}, source_file, annotated_id
        ) as text_preference
    from annotated_lines
),

deduplicated as (
    select
        annotated_id,
        source_file,
        query_text,
        lower(query_text) as query_norm,
        tokens,
        tags,
        file_split
    from one_row_per_text
    where text_preference = 1
),

file_split_per_norm as (
    select
        query_norm,
        min({{ qu_split_priority('file_split') }}) as best_split_priority
    from deduplicated
    group by query_norm
),

{{ qu_bio_spans_ctes('brand_spans', 'deduplicated', 'query_text') }},

brand_surfaces as (
    select
        surfaces.surface,
        {{ dbt.bool_or('holdout.is_held_out') }} as is_held_out_surface,
        {{ dbt.bool_or('surfaces.is_misspelling') }} as is_some_misspelling,
        {{ dbt.bool_or('not surfaces.is_misspelling') }} as is_some_proper_name
    from {{ ref('stg_brand_surfaces') }} as surfaces
    inner join {{ ref('int_holdout_brands') }} as holdout
        on holdout.brand = surfaces.brand
    group by surfaces.surface
),

brand_span_flags as (
    select
        spans.row_key as query_text,
        {{ dbt.bool_or('coalesce(surfaces.is_held_out_surface, false)') }} as has_unseen_brand,
        {{ dbt.bool_or('coalesce(surfaces.is_some_misspelling and not surfaces.is_some_proper_name, false)') }} as has_typo
    from brand_spans as spans
    left join brand_surfaces as surfaces
        on surfaces.surface = spans.span_text
    where spans.label = 'BRAND'
    group by spans.row_key
)

select
    d.annotated_id,
    d.source_file,
    d.query_text,
    d.query_norm,
    d.tokens,
    d.tags,
    case norm_split.best_split_priority
        when 0 then 'test' when 1 then 'dev' when 2 then 'train'
    end as file_split,
    coalesce(flags.has_typo, false) as has_typo,
    coalesce(flags.has_unseen_brand, false) as has_unseen_brand
from deduplicated as d
inner join file_split_per_norm as norm_split
    on norm_split.query_norm = d.query_norm
left join brand_span_flags as flags
    on flags.query_text = d.query_text
