{#-
  No value of the column appears in `field` of relation `to` (the opposite of relationships), e.g.
  a brand alias that is itself a canonical brand, or a type surface that is another canonical type.
-#}
{% test not_in_relation(model, column_name, to, field) %}

select m.{{ column_name }} as clashing_value
from {{ model }} as m
inner join {{ to }} as other
    on other.{{ field }} = m.{{ column_name }}

{% endtest %}
