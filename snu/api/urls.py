from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from snu.api import classify, errors, grants, partners, plans, signals, strategy, views

app_name = "api"

router = DefaultRouter()
router.include_root_view = False
router.register("strategies", strategy.StrategyViewSet, basename="strategy")
router.register("elements", strategy.ElementViewSet, basename="element")
router.register("allocations", grants.AllocationViewSet, basename="allocation")
router.register("schemes", grants.SchemeViewSet, basename="scheme")
router.register("funding-sources", grants.FundingSourceViewSet, basename="funding-source")
router.register("alignments", classify.AlignmentViewSet, basename="alignment")
router.register("plans", plans.ActionPlanViewSet, basename="plan")
router.register("plan-revisions", plans.PlanRevisionViewSet, basename="plan-revision")
router.register("measures", plans.MeasureViewSet, basename="measure")
router.register("partners", partners.PartnerViewSet, basename="partner")
router.register("agreements", partners.AgreementViewSet, basename="agreement")
router.register("arenas", partners.ArenaViewSet, basename="arena")
router.register("signals", signals.SignalViewSet, basename="signal")

urlpatterns = [
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("", views.docs, name="docs"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.revoke, name="token_revoke"),
    path("", include(router.urls)),
    re_path(r"^.*$", errors.not_found),
]
