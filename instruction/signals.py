from django.dispatch import Signal

# Sent before the award e-mail; receivers return [(filename, bytes, mimetype), ...] to attach
# (the de minimis attestation comes from the reporting app, a higher layer).
award_attachments = Signal()
