"""Imported once by the ``--jobs`` forkserver (see `dedupe_ko.pipeline.clean_stage`): loads the
cleaner and compiles the built-in rule catalogue there, so every worker forked from the server
starts with both (the patterns' `re` twins too) instead of paying ~1 s each."""

from .clean import CleanConfig
from .pipeline import _clean_one

CleanConfig().rules.compile()  # into the per-config cache this module exists for
_clean_one("워밍업 문장입니다.", CleanConfig(), explain=False)
