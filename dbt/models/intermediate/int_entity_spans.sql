-- Non-overlapping entity spans for each click signature, resolved deterministically.
-- Pass 1: the clicked-product matches, visited longest span first, then exact before misspelling
-- before fuzzy, then BRAND > TYPE > COLOR, then leftmost; a candidate is kept when its tokens are
-- still free (greedy, macros/greedy_spans.sql).
-- Pass 2 (var catalog_wide_matches): exact catalog-wide COLOR and TYPE matches on tokens pass 1
-- left unlabelled, resolved the same way. Never BRAND: brand names collide with common words.
-- Nor inside text that reads as a multi-word brand name ("black and decker", "arm & hammer") when
-- the click did not confirm that brand: "black" there is not a COLOR.

with recursive

product_candidates as (
    select
        *,
        row_number() over (
            partition by signature_id
            order by n_tokens desc, match_rank,
                case label when 'BRAND' then 0 when 'TYPE' then 1 else 2 end,
                start_index
        ) as candidate_rank
    from {{ ref('int_clicked_product_matches') }}
),

{{ qu_greedy_spans_ctes('product_spans', 'product_candidates', 'signature_id') }},

{%- if var('catalog_wide_matches') %}

catalog_surfaces as (
    select 'COLOR' as label, color as matched_value, surface
    from {{ ref('stg_color_surfaces') }}
    union all
    select 'TYPE' as label, product_type as matched_value, surface
    from {{ ref('stg_type_surfaces') }}
),

-- a surface shared by several types (or colors) matches once, under its alphabetically first value
catalog_matches_per_query as (
    select
        ngrams.query_text,
        ngrams.start_index,
        ngrams.end_index,
        ngrams.n_tokens,
        surfaces.label,
        min(surfaces.matched_value) as matched_value,
        min(surfaces.surface) as matched_surface
    from {{ ref('int_query_ngrams') }} as ngrams
    inner join catalog_surfaces as surfaces
        on surfaces.surface = ngrams.ngram
    group by ngrams.query_text, ngrams.start_index, ngrams.end_index, ngrams.n_tokens, surfaces.label
),

-- multi-word brand names written in the query, whether or not the click confirms the brand
multiword_brand_mentions as (
    select distinct ngrams.query_text, ngrams.start_index, ngrams.end_index
    from {{ ref('int_query_ngrams') }} as ngrams
    inner join {{ ref('stg_brand_surfaces') }} as brands
        on brands.surface = ngrams.ngram
    where ngrams.n_tokens >= 2
),

catalog_matches_outside_brand_names as (
    select matches.*
    from catalog_matches_per_query as matches
    where not exists (
        select 1
        from multiword_brand_mentions as mention
        where mention.query_text = matches.query_text
            and mention.start_index < matches.end_index
            and matches.start_index < mention.end_index
    )
),

catalog_matches_on_free_tokens as (
    select
        signatures.signature_id,
        signatures.query_length,
        matches.start_index,
        matches.end_index,
        matches.n_tokens,
        matches.label,
        'exact' as match_kind,
        0 as match_rank,
        false as is_typo,
        matches.matched_value,
        matches.matched_surface,
        'catalog' as match_source
    from {{ ref('int_click_signatures') }} as signatures
    inner join catalog_matches_outside_brand_names as matches
        on matches.query_text = signatures.query_text
    where not exists (
        select 1
        from product_spans as taken
        where taken.signature_id = signatures.signature_id
            and taken.start_index < matches.end_index
            and matches.start_index < taken.end_index
    )
),

catalog_candidates as (
    select
        *,
        row_number() over (
            partition by signature_id
            order by n_tokens desc, case label when 'TYPE' then 0 else 1 end, start_index
        ) as candidate_rank
    from catalog_matches_on_free_tokens
),

{{ qu_greedy_spans_ctes('catalog_spans', 'catalog_candidates', 'signature_id') }},

{%- endif %}

all_spans as (
    select * from product_spans
    {%- if var('catalog_wide_matches') %}
    union all
    select * from catalog_spans
    {%- endif %}
)

select
    signature_id,
    start_index,
    end_index,
    n_tokens,
    label,
    match_kind,
    is_typo,
    matched_value,
    matched_surface,
    match_source
from all_spans
