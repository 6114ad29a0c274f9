# Models arrive with the API and reporting work.
