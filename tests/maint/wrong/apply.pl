#!/usr/bin/perl
# apply.pl - makes one wrong version of the solved course (versions.txt).
#
#   perl tests/maint/wrong/apply.pl VERSIONS ID OUT_DIR   make OUT_DIR/STAGE/
#   perl tests/maint/wrong/apply.pl VERSIONS --list      ID, exercise, stage, core|extra|sanitize
#
# A version is solutions/<its stage> with literal replacements in its
# FILE (after a "file OTHER" line, in OTHER of the same stage: a version
# with two mistakes); each "replace" must match exactly once, so a
# version that no longer fits the solutions stops the check instead of
# testing nothing.
use strict;
use warnings;

my ($versions, $wanted, $out) = @ARGV;
die "usage: apply.pl VERSIONS ID OUT_DIR | --list\n" unless defined $wanted;

my %stage_of;
open my $manifest, '<', 'tests/course.txt' or die "tests/course.txt: $!\n";
while (<$manifest>) {
    $stage_of{$1} = $2 if /^stage\t(\d+)\t(\S+)/;
}
close $manifest;

sub text {
    my $t = shift;
    $t =~ s/\\(n|t|\\)/$1 eq 'n' ? "\n" : $1 eq 't' ? "\t" : "\\"/ge;
    return $t;
}

my (@all, $v);
open my $in, '<', $versions or die "$versions: $!\n";
while (my $line = <$in>) {
    chomp $line;
    next if $line =~ /^\s*(#|$)/;
    if ($line =~ /^version\s+(\S+)\s+(\d+)\.(\d+)\s+(\S+)(?:\s+(extra|sanitize))?$/) {
        $v = { id => $1, exercise => "$2.$3", stage => $stage_of{$2}, file => $4, edits => [],
               set => $5 // 'core' };
        die "$versions:$.: no stage $2 in tests/course.txt\n" unless $v->{stage};
        push @all, $v;
    } elsif ($line =~ /^note\s+(.*)$/) {
        $v->{note} .= "$1 ";
    } elsif ($line =~ /^file\s+(\S+)$/) {
        $v->{current} = $1;
    } elsif ($line =~ /^replace \|(.*)$/) {
        push @{ $v->{edits} }, [ text($1), undef, $v->{current} // $v->{file} ];
    } elsif ($line =~ /^with \|(.*)$/) {
        $v->{edits}[-1][1] = text($1);
    } else {
        die "$versions:$.: cannot read this line: $line\n";
    }
}
close $in;

if ($wanted eq '--list') {
    print "$_->{id}\t$_->{exercise}\t$_->{stage}\t$_->{set}\n" for @all;
    exit 0;
}
my ($version) = grep { $_->{id} eq $wanted } @all;
die "no version $wanted in $versions\n" unless $version;
die "version $wanted has no note\n" unless $version->{note};

my $stage = $version->{stage};
system('mkdir', '-p', "$out/$stage") == 0 or die "mkdir $out/$stage failed\n";
system("cp solutions/$stage/* '$out/$stage/'") == 0 or die "copying solutions/$stage failed\n";
my %code;
for my $edit (@{ $version->{edits} }) {
    my ($old, $new, $file) = @$edit;
    die "version $wanted: a replace without its with\n" unless defined $new;
    unless (exists $code{$file}) {
        open my $src, '<', "$out/$stage/$file" or die "$out/$stage/$file: $!\n";
        $code{$file} = do { local $/; <$src> };
        close $src;
    }
    my $count = () = $code{$file} =~ /\Q$old\E/g;
    die "version $wanted: '$old' occurs $count times in $file, not once\n"
        unless $count == 1;
    my $at = index $code{$file}, $old;
    substr($code{$file}, $at, length $old) = $new;
}
for my $file (sort keys %code) {
    open my $dst, '>', "$out/$stage/$file" or die "$out/$stage/$file: $!\n";
    print $dst $code{$file};
    close $dst;
}
print "$version->{exercise}\t$stage\t$version->{set}\n";
