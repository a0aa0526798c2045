"""procsim: a legal-process simulator for England & Wales police complaints."""
