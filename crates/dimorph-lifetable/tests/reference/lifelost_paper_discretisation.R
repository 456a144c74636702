# Peer values for crates/dimorph-lifetable/tests/lifelost_paper.rs (`matches_the_r_reimplementation
# _of_the_papers_computation`): the paper's discretisation and cause shares (see the module docs
# of src/lifelost.rs and src/causes.rs), written independently in base R, run on the bundled data.
# Run from the repository root:  Rscript crates/dimorph-lifetable/tests/reference/lifelost_paper_discretisation.R
# With the 2000-2020 cause file as argument it also prints Table 1 from the single-age shares of
# other years (the year check of the test documentation).
args <- commandArgs(trailingOnly = TRUE)
hmd <- function(f) {
  x <- read.table(f, skip = 2, header = TRUE, na.strings = ".", stringsAsFactors = FALSE)
  x[x$Year == 2010, ]
}
D <- hmd("data/hmd/USA/USA.Deaths_1x1.txt"); E <- hmd("data/hmd/USA/USA.Exposures_1x1.txt")
cod <- read.csv("data/usa_2010_cod.csv")
groups <- c("Cardiovascular", "Cancer", "Infectious", "External", "Mental", "Infant", "Other")

# Table 2 means under the paper's discretisation; D deaths by age 0..110+, m rates
paper <- function(D, m) {
  n <- length(m)
  l <- c(1, exp(-cumsum(m)))                     # l(0..111)
  dx <- l[1:n] - l[2:(n + 1)]; dx[n] <- l[n]
  a <- 0:(n - 1) + 0.5
  dd <- c(dx, rep(0, n + 1))
  ysum <- 0; Wrow <- numeric(n); Wcol <- numeric(n)
  for (i in 1:n) {
    y <- 0:(n - i)
    f <- dd[i + y] + dd[i + y + 1]; f <- f / sum(f)
    ysum <- ysum + D[i] * sum(f * (y + 0.5))
    w <- D[i] * l[(i + 1):(n + 1)] / l[i + 1]      # x = a..110: l(x+1)/l(a+1)
    Wrow[i] <- sum(w); Wcol[i:n] <- Wcol[i:n] + w
  }
  c(sum(D * a) / sum(D), ysum / sum(D), sum(Wrow * a) / sum(Wrow), sum(Wcol * a) / sum(Wcol))
}

# the paper's cause shares: abridged groups, log rates, FMM spline (R's splinefun default)
spline_shares <- function(M, expo) {
  grp <- c(0, 1, 1, 1, 1, rep(seq(5, 95, 5), each = 5), 100)
  A <- rowsum(M, grp); Eg <- rowsum(expo, c(grp, rep(100, 10)))[, 1]
  ages <- as.numeric(rownames(A))
  knots <- ages; knots[-length(ages)] <- ages[-length(ages)] + diff(ages) / 2; knots[1] <- 0
  R <- apply(log(A / Eg), 2, function(y) {
    ok <- is.finite(y)
    if (!any(ok)) return(rep(0, 101))
    exp(splinefun(knots[ok], y[ok])(0:100))
  })
  R[(A == 0)[match(grp, ages), ]] <- 0
  S <- R / rowSums(R)
  rbind(S, S[rep(101, 10), ])
}

for (sex in c("Male", "Female")) {
  d <- D[[sex]]; m <- d / E[[sex]]
  cs <- cod[cod$sex == tolower(sex), ]
  M <- tapply(cs$deaths, list(cs$age, cs$paper_group), sum)
  M <- M[order(as.numeric(rownames(M))), groups]; M[is.na(M)] <- 0
  cat(sex, "All:", sprintf("%.6f", paper(d, m)), "\n")
  S <- spline_shares(M, E[[sex]])
  cat(sex, "Table 1 (paper shares):", sprintf("%.3f", colSums(d * S)), "\n")
  g <- "Cardiovascular"
  cat(sex, g, "(paper shares):", sprintf("%.6f", paper(d * S[, g], m * (1 - S[, g]))), "\n")
}

if (length(args) == 1) {
  all <- read.csv(args[1])
  for (yr in 2007:2012) for (sex in c("Female", "Male")) {
    cs <- all[all$sex == tolower(sex) & all$year == yr, ]
    M <- tapply(cs$deaths, list(cs$age, cs$paper_group), sum)
    M <- M[order(as.numeric(rownames(M))), groups]; M[is.na(M)] <- 0
    S <- M / rowSums(M); S <- rbind(S, S[rep(101, 10), ])
    cat(yr, sex, "Table 1 (age shares of", yr, "x 2010 HMD deaths):", sprintf("%.0f", colSums(D[[sex]] * S)), "\n")
  }
}
