"""The pure review core: diff in, anchored findings out. Never imports bot/, fastapi or github."""
