from django.urls import path

from snu.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.plan_edit, name="plan_new"),
    path("<int:pk>/", views.plan_detail, name="plan"),
    path("<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/revisions/start/", views.revision_start, name="revision_start"),
    path("<int:pk>/revisions/<int:number>/", views.revision_detail, name="revision"),
    path("<int:pk>/revisions/<int:number>/diff/", views.revision_diff, name="diff"),
    path("<int:pk>/revisions/<int:number>/adopt/", views.revision_adopt, name="adopt"),
    path("<int:pk>/revisions/<int:number>/brief/", views.revision_brief, name="brief"),
    path("<int:pk>/revisions/<int:number>/brief.pdf", views.revision_brief_pdf, name="brief_pdf"),
    path("<int:pk>/revisions/<int:number>/measures/new/", views.measure_edit, name="measure_new"),
    path("<int:pk>/revisions/<int:number>/measures/<uuid:key>/", views.measure_detail, name="measure"),
    path("<int:pk>/revisions/<int:number>/measures/<uuid:key>/edit/", views.measure_edit, name="measure_edit"),
    path("<int:pk>/revisions/<int:number>/measures/<uuid:key>/stop/", views.measure_stop, name="measure_stop"),
    path("<int:pk>/revisions/<int:number>/measures/<uuid:key>/remove/", views.measure_remove, name="measure_remove"),
    path("<int:pk>/revisions/<int:number>/measures/<uuid:key>/status/", views.measure_report, name="measure_report"),
    path("<int:pk>/revisions/<int:number>/measures/<uuid:key>/money/", views.measure_link, name="measure_link"),
    path("<int:pk>/revisions/<int:number>/measures/<uuid:key>/evaluate/", views.measure_evaluate, name="evaluate"),
    path("<int:pk>/indicators/new/", views.indicator_edit, name="indicator_new"),
    path("<int:pk>/indicators/<int:indicator_id>/", views.indicator_detail, name="indicator"),
    path("<int:pk>/indicators/<int:indicator_id>/edit/", views.indicator_edit, name="indicator_edit"),
    path("<int:pk>/proposals/new/", views.proposal_new, name="proposal_new"),
    path("<int:pk>/proposals/<int:proposal_id>/decide/", views.proposal_decide, name="proposal_decide"),
]
