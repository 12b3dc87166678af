{#-
  No normalized query text sits in two splits. On labeled_queries it compares the split column
  within the model; on a split model pass `others` (the other split models) and it checks that
  none of its query_norm values appears in them.
-#}
{% test split_disjoint(model, column_name='query_norm', split_column='split', others=[]) %}

with rows_by_split as (
    select {{ column_name }} as query_norm, {{ split_column }} as split_name from {{ model }}
    {% for other in others %}
    union all
    select {{ column_name }} as query_norm, {{ split_column }} as split_name from {{ other }}
    {% endfor %}
),

{%- if others %}
-- only texts of the model under test matter; the others are what it must not overlap
model_texts as (
    select distinct {{ column_name }} as query_norm from {{ model }}
),
{%- endif %}

texts_in_several_splits as (
    select query_norm, count(distinct split_name) as n_splits
    from rows_by_split
    group by query_norm
    having count(distinct split_name) > 1
)

select t.query_norm, t.n_splits
from texts_in_several_splits as t
{%- if others %}
inner join model_texts as m on m.query_norm = t.query_norm
{%- endif %}

{% endtest %}
