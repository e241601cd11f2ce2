"""Background retraining (django-tasks; worker: `snu db_worker`).

After people decide, one retrain per strategy is queued; while one is waiting, further decisions
add nothing (the waiting run will see them). With SNU_TASK_BACKEND set to
django_tasks.backends.immediate.ImmediateBackend the retrain runs at once (tests, demo).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django_tasks import task

from snu.strategy.models import Strategy

log = logging.getLogger(__name__)


@task()
def retrain(strategy_id: int) -> str:
    from snu.classify.actions import retrain_model

    strategy = Strategy.objects.filter(pk=strategy_id).first()
    if strategy is None:
        return "gone"
    version = retrain_model("retrain task", strategy)
    return version.label if version else "kept previous"


def _pending(strategy_id: int) -> bool:
    from django_tasks_db.models import DBTaskResult

    ready = DBTaskResult.objects.ready().filter(task_path=retrain.module_path)
    return any(r.args_kwargs.get("args") == [strategy_id] for r in ready)


def schedule_retrain(strategy: Strategy) -> None:
    """Queue a retrain unless one is already waiting for this strategy (debounce)."""
    if getattr(settings, "SNU_CLASSIFY_AUTO_RETRAIN", True) is False:
        return
    try:
        if type(retrain.get_backend()).__name__ == "DatabaseBackend" and _pending(strategy.pk):
            return
        retrain.enqueue(strategy.pk)
    except Exception:  # a queue problem must never lose a person's decision
        log.exception("could not queue retraining for %s", strategy.code)
