{#-
  The model has no rows. Meant for report models (rows that need a look, such as click events on
  unknown products) with severity warn; `fail_calc` may count something other than rows, e.g.
  `coalesce(sum(n_events), 0)`.
-#}
{% test is_empty(model) %}

select *
from {{ model }}

{% endtest %}
