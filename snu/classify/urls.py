from django.urls import path

from snu.classify import views

app_name = "classify"
urlpatterns = [
    path("review/", views.review, name="review"),
    path("review/bulk/", views.bulk_accept, name="bulk_accept"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("allocation/<int:pk>/", views.allocation, name="allocation"),
    path("<slug:code>/<str:element_code>/", views.element_allocations, name="element_allocations"),
]
