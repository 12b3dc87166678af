{#- No value of the column is empty or whitespace only (nulls are not_null's business). -#}
{% test not_blank(model, column_name) %}

select {{ column_name }} as blank_value
from {{ model }}
where {{ column_name }} is not null
    and trim({{ column_name }}) = ''

{% endtest %}
