{#-
  No train or dev row mentions a held-out brand, so the unseen-brand test slice is really unseen.
  A row fails when it is in train/dev and either its `has_unseen_brand` flag is set or one of its
  BRAND spans reads as a surface form (name, alias, known misspelling) of a held-out brand.
  Held-out brands come from int_holdout_brands (var holdout_brand_share).
-#}
{% test no_holdout_brand_in_train(model, flag_column='has_unseen_brand', split_column='split', key_column='query_id') %}

with rows_in_train_or_dev as (
    select {{ key_column }} as row_key, tokens, tags, {{ flag_column }} as has_unseen_brand
    from {{ model }}
    where {{ split_column }} in ('train', 'dev')
),

{{ qu_bio_spans_ctes('entity_spans', 'rows_in_train_or_dev', 'row_key') }},

held_out_surfaces as (
    select surfaces.surface, surfaces.brand
    from {{ ref('stg_brand_surfaces') }} as surfaces
    inner join {{ ref('int_holdout_brands') }} as holdout
        on holdout.brand = surfaces.brand
    where holdout.is_held_out
),

brand_spans_of_held_out_brands as (
    select spans.row_key, 'brand span "' || spans.span_text || '" is held-out brand ' || held.brand as reason
    from entity_spans as spans
    inner join held_out_surfaces as held
        on held.surface = spans.span_text
    where spans.label = 'BRAND'
),

flagged_rows as (
    select row_key, 'has_unseen_brand is set' as reason
    from rows_in_train_or_dev
    where has_unseen_brand
)

select * from brand_spans_of_held_out_brands
union all
select * from flagged_rows

{% endtest %}
