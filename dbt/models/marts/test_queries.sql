-- The test split of labeled_queries, same columns, as its own asset for the steps that read it.

select *
from {{ ref('labeled_queries') }}
where split = 'test'
