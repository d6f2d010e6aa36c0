"""Simon two-stage design: exact maths, checks of the stated plan, the design page's numbers."""
