/* Reading a file from the page cache, each 4 MiB chunk hashed with XXH3 (docs/architecture.md, "Reader"):
     read      read(2) into a reused 4 MiB buffer
     mmap      the whole file mapped, MADV_SEQUENTIAL, MADV_DONTNEED behind each chunk
     chunk     each chunk mapped on its own (mmap at its offset, munmap after)
     populate  the same with MAP_POPULATE (the pages mapped in one call instead of one fault each)
     hash      one chunk hashed size/chunk times: the cost of XXH3 alone, to subtract
   Build: cc -O2 read-vs-mmap.c -o read-vs-mmap -lxxhash; run: ./read-vs-mmap FILE MODE [CHUNK-MIB] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <xxhash.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec/1e9;}
int main(int c,char**v){
 if(c<3){fprintf(stderr,"usage: %s FILE read|mmap|chunk|populate|hash [CHUNK-MIB]\n",v[0]);return 2;}
 int fd=open(v[1],O_RDONLY);struct stat st;if(fd<0||fstat(fd,&st)){perror(v[1]);return 1;}
 size_t n=st.st_size,C=(size_t)(c>3?atoi(v[3]):4)<<20;unsigned long long h=0;const char*m=v[2];double t=now();
 if(!strcmp(m,"read")){char*b=aligned_alloc(64,C);ssize_t got;while((got=read(fd,b,C))>0)h^=XXH3_64bits(b,got);}
 else if(!strcmp(m,"mmap")){char*p=mmap(0,n,PROT_READ,MAP_PRIVATE,fd,0);madvise(p,n,MADV_SEQUENTIAL);
  for(size_t o=0;o<n;o+=C){size_t k=n-o<C?n-o:C;h^=XXH3_64bits(p+o,k);madvise(p+o,k,MADV_DONTNEED);}}
 else if(!strcmp(m,"chunk")||!strcmp(m,"populate")){int f=MAP_PRIVATE|(!strcmp(m,"populate")?MAP_POPULATE:0);
  for(size_t o=0;o<n;o+=C){size_t k=n-o<C?n-o:C;char*p=mmap(0,k,PROT_READ,f,fd,o);h^=XXH3_64bits(p,k);munmap(p,k);}}
 else if(!strcmp(m,"hash")){char*b=aligned_alloc(64,C);if(pread(fd,b,C,0)<0)return 1;for(size_t o=0;o<n;o+=C)h^=XXH3_64bits(b,n-o<C?n-o:C);}
 else{fprintf(stderr,"unknown mode %s\n",m);return 2;}
 double s=now()-t;printf("%-8s %.3f s %6.0f MB/s %.3f ns/B %llx\n",m,s,n/s/1e6,s*1e9/n,h);return 0;}
