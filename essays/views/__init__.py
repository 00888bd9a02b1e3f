"""Students' and visitors' pages, by workflow: the library (catalogue.py, essay.py), writing an
answer (writing.py) and the student's own work (my_work.py). Staff work in the admin site
(essays/admin/); site-wide pages are in studyhub/views.py."""
