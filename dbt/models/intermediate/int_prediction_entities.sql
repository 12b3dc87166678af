-- One row per served entity (stg_predictions.entities unnested) with its prediction's day, model
-- and query, and the entity's type, surface, score (the model's confidence; may be null) and the
-- linker's novel flag (null for lines logged before linking). The one unnesting of the logged
-- entities: the monitoring marts and novel_entities read it.

with predictions as (
    select prediction_id, predicted_at, model_tag, query_text, query_norm, entities
    from {{ ref('stg_predictions') }}
),

entities as (
    select
        p.prediction_id,
        p.predicted_at,
        p.model_tag,
        p.query_text,
        p.query_norm,
        {{ qu_unnest_element('ent') }} as entity
    from predictions as p
    {{ qu_unnest_join('p.entities', 'ent') }}
)

select
    prediction_id,
    predicted_at,
    cast(predicted_at as date) as predicted_day,
    model_tag,
    query_text,
    query_norm,
    cast({{ qu_struct_field('entity', 'type') }} as {{ dbt.type_string() }}) as entity_type,
    lower({{ qu_collapse_whitespace('cast(' ~ qu_struct_field('entity', 'text') ~ ' as ' ~ dbt.type_string() ~ ')') }}) as surface,
    cast({{ qu_struct_field('entity', 'score') }} as {{ qu_double_type() }}) as score,
    cast({{ qu_struct_field('entity', 'novel') }} as boolean) as novel
from entities
