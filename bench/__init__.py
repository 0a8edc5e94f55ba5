"""The labeled-PR benchmark: cases, miner, runner, scorer, reports."""
