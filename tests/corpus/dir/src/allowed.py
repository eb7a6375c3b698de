# a fixture credential that the team has reviewed
ROTATED_KEY = "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"  # ferret:allow
