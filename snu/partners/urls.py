from django.urls import path

from snu.partners import views

app_name = "partners"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.partner_edit, name="partner_new"),
    path("import/", views.partner_import, name="import"),
    path("coverage/", views.coverage, name="coverage"),
    path("network/", views.network_view, name="network"),
    path("<int:pk>/", views.partner_detail, name="partner"),
    path("<int:pk>/edit/", views.partner_edit, name="partner_edit"),
    path("<int:pk>/delete/", views.partner_delete, name="partner_delete"),
    path("<int:pk>/register/", views.partner_fill, name="partner_fill"),
    path("arenas/", views.arena_list, name="arenas"),
    path("arenas/new/", views.arena_edit, name="arena_new"),
    path("arenas/<int:pk>/", views.arena_detail, name="arena"),
    path("arenas/<int:pk>/edit/", views.arena_edit, name="arena_edit"),
    path("arenas/<int:pk>/delete/", views.arena_delete, name="arena_delete"),
    path("arenas/<int:pk>/activities/", views.arena_activity_add, name="arena_activity_add"),
    path(
        "arenas/<int:pk>/activities/<int:activity_pk>/delete/",
        views.arena_activity_delete,
        name="arena_activity_delete",
    ),
    path("agreements/", views.agreement_list, name="agreements"),
    path("agreements/new/", views.agreement_edit, name="agreement_new"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("agreements/<int:pk>/delete/", views.agreement_delete, name="agreement_delete"),
]
