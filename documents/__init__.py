"""Official documents: one path to render, sign and store every PDF the portal issues.

A foundation beside `audit/`: it knows PDFs, hashes and storage, not dossiers. The apps above
give it a template and a context (`pdf.render_pdf`) and a model row to fill (`issuing.issue_once`).
"""
