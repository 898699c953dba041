"""Credit committee pages: meetings, the agenda, the credit package, votes, decisions, minutes.

Every rule (who votes, quorum, majority, product limits) is the services' in
``applications.committee``; these views show their answers beside the right field.
"""
