-- Pass 1 of weak labelling, distant supervision from clicks: the query n-grams that spell an
-- attribute of the product the shopper clicked, one row per (signature, span, label) with the best
-- way it matched. Overlapping candidates are resolved in int_entity_spans.
--   BRAND: a surface of the product's brand: its name or an alias (exact), a known misspelling
--          (typo), or fuzzily (typo): within edit distance fuzzy_max_distance of a name/alias of
--          at least fuzzy_min_surface_length characters.
--   COLOR: the product's color.  TYPE: any surface form of the product's type.
-- Fuzzy matching applies to the labels in var fuzzy_match_labels (default BRAND only); it is safe
-- here because only the clicked product's own surfaces are candidates.

{%- set fuzzy_min_length = var('fuzzy_min_surface_length') | int %}
{%- set fuzzy_max_distance = var('fuzzy_max_distance') | int %}
{%- set fuzzy_labels = var('fuzzy_match_labels') %}

with signatures as (
    select * from {{ ref('int_click_signatures') }}
),

signature_ngrams as (
    select
        s.signature_id,
        s.query_length,
        s.product_brand,
        s.product_color,
        s.product_type,
        n.start_index,
        n.end_index,
        n.n_tokens,
        n.ngram
    from signatures as s
    inner join {{ ref('int_query_ngrams') }} as n
        on n.query_text = s.query_text
),

-- every surface form of every attribute value, keyed by (label, value) like a clicked product
attribute_surfaces as (
    select
        'BRAND' as label,
        brand as attribute_value,
        surface,
        is_misspelling
    from {{ ref('stg_brand_surfaces') }}

    union all

    select 'COLOR', color, surface, false
    from {{ ref('stg_color_surfaces') }}

    union all

    select 'TYPE', product_type, surface, false
    from {{ ref('stg_type_surfaces') }}
),

-- the (label, value) pairs of each signature's clicked product
clicked_attributes as (
    select signature_id, 'BRAND' as label, product_brand as attribute_value
    from signatures where product_brand is not null
    union all
    select signature_id, 'COLOR', product_color
    from signatures where product_color is not null
    union all
    select signature_id, 'TYPE', product_type
    from signatures where product_type is not null
),

clicked_product_surfaces as (
    select
        clicked.signature_id,
        surfaces.label,
        surfaces.attribute_value,
        surfaces.surface,
        surfaces.is_misspelling,
        length(surfaces.surface) as surface_length
    from clicked_attributes as clicked
    inner join attribute_surfaces as surfaces
        on surfaces.label = clicked.label
        and surfaces.attribute_value = clicked.attribute_value
),

exact_or_known_misspelling as (
    select
        sn.signature_id, sn.query_length, sn.start_index, sn.end_index, sn.n_tokens,
        ps.label,
        case when ps.is_misspelling then 'misspelling' else 'exact' end as match_kind,
        ps.attribute_value as matched_value,
        ps.surface as matched_surface
    from signature_ngrams as sn
    inner join clicked_product_surfaces as ps
        on ps.signature_id = sn.signature_id
        and ps.surface = sn.ngram
),

{%- if fuzzy_labels | length > 0 %}

fuzzy as (
    select
        sn.signature_id, sn.query_length, sn.start_index, sn.end_index, sn.n_tokens,
        ps.label,
        'fuzzy' as match_kind,
        ps.attribute_value as matched_value,
        ps.surface as matched_surface
    from signature_ngrams as sn
    inner join clicked_product_surfaces as ps
        on ps.signature_id = sn.signature_id
        and ps.label in ({% for l in fuzzy_labels %}'{{ l }}'{% if not loop.last %}, {% endif %}{% endfor %})
        and not ps.is_misspelling
        and ps.surface_length >= {{ fuzzy_min_length }}
        and abs(length(sn.ngram) - ps.surface_length) <= {{ fuzzy_max_distance }}
        and sn.ngram <> ps.surface
    where {{ qu_edit_distance('sn.ngram', 'ps.surface') }} <= {{ fuzzy_max_distance }}
),

{%- endif %}

all_candidates as (
    select * from exact_or_known_misspelling
    {%- if fuzzy_labels | length > 0 %}
    union all
    select * from fuzzy
    {%- endif %}
),

ranked_ways_to_match as (
    select
        *,
        case match_kind when 'exact' then 0 when 'misspelling' then 1 else 2 end as match_rank,
        row_number() over (
            partition by signature_id, start_index, n_tokens, label
            order by case match_kind when 'exact' then 0 when 'misspelling' then 1 else 2 end,
                matched_surface
        ) as way_preference
    from all_candidates
)

select
    signature_id,
    query_length,
    start_index,
    end_index,
    n_tokens,
    label,
    match_kind,
    match_rank,
    match_kind in ('misspelling', 'fuzzy') as is_typo,
    matched_value,
    matched_surface,
    'clicked_product' as match_source
from ranked_ways_to_match
where way_preference = 1
