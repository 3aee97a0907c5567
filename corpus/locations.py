"""Where a project lives: its files and the environment variables that point at it.

Kept apart from corpus.project (which loads SQLAlchemy) so the command line can name them
without loading the store.
"""

CONFIG_NAME = "qda.toml"
SQLITE_NAME = "project.sqlite"
URL_ENV = "QDA_DATABASE_URL"      # a PostgreSQL server instead of project.sqlite
PROJECT_ENV = "QDA_PROJECT"       # the project folder, for the CLI and the app
